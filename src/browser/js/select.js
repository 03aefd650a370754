// ---------------------------------------------------------------- select
// Choosing an option the way a person does: in a native <select>, a listbox, list, menu, radio
// group, tab list, table or tree, or a custom dropdown that must be opened first.

const MAX_OPTIONS = 50;
const MAX_PICK_TEXT = 80;

// Lists a select can choose from, in the order their options are offered.
const LIST_SEL = 'select, [role=listbox], [role=list], ul, ol, [role=menu], [role=menubar], ' +
  '[role=radiogroup], [role=tablist], table, [role=table], [role=grid], [role=tree]';
function listKind(el) {
  if (el.tagName === 'SELECT') return 'select';
  const r = roleOf(el);
  if (r === 'listbox') return 'listbox';
  if (r === 'list') return 'list';
  if (r === 'menu' || r === 'menubar') return 'menu';
  if (r === 'radiogroup') return 'radiogroup';
  if (r === 'tablist') return 'tablist';
  if (r === 'table' || r === 'grid') return 'table';
  if (r === 'tree') return 'tree';
  return null;
}
const KIND_ORDER = { select: 0, listbox: 1, radiogroup: 2, tablist: 3, table: 4, tree: 5, menu: 6, list: 7, generic: 8 };

function nearestList(item) {
  let p = item.parentElement;
  while (p && !listKind(p)) p = p.parentElement;
  return p;
}

function itemsOf(container, kind) {
  const own = (sel) => [...container.querySelectorAll(sel)].filter((i) => nearestList(i) === container);
  switch (kind) {
    case 'select': return [...container.options];
    case 'listbox': {
      // Options without their role (plain list items) are options all the same.
      const opts = own('[role=option]');
      return opts.length ? opts : [...container.children].filter((c) => c.tagName === 'LI' || c.tagName === 'DIV');
    }
    case 'list': return own('li, [role=listitem]');
    case 'menu': return own('[role=menuitem], [role=menuitemradio], [role=menuitemcheckbox], li');
    case 'radiogroup': return own('[role=radio], input[type=radio]');
    case 'tablist': return own('[role=tab]');
    case 'tree': return own('[role=treeitem]');
    case 'table': return own('tr, [role=row]').filter((row) =>
      !row.closest('thead') && [...row.children].some((c) => c.tagName !== 'TH' && c.getAttribute('role') !== 'columnheader'));
    default: {
      const els = [...container.querySelectorAll('a[href], button, [role=option], [role=button], [role=link], ' +
        '[role=radio], input[type=radio], li, tr, [role=row], label')];
      return els;
    }
  }
}

function itemText(item) {
  if (item.tagName === 'OPTION') return clean(item.text);
  if (item.tagName === 'INPUT') return accName(item);
  return textOf(item);
}

const CELL_SEL = 'td, th, [role=cell], [role=gridcell], [role=rowheader]';
const isRow = (item) => item.tagName === 'TR' || roleOf(item) === 'row';
function cellsOf(row) {
  return [...row.querySelectorAll(CELL_SEL)].filter((c) => c.closest('tr, [role=row]') === row);
}

// How a person reads an item: the whole item, or (for a table row) one of its cells, e.g. the
// name in a row that also shows a count. Answers the text that matched, or null.
function itemMatch(item, text, option) {
  if (matchText(text, option)) return { text, cell: null };
  if (!isRow(item)) return null;
  for (const c of cellsOf(item)) {
    const t = textOf(c);
    if (t && matchText(t, option)) return { text: t, cell: c };
  }
  return null;
}
// The text to offer for an item: a row by its first non-empty cell (its name, usually).
function offeredText(item, text) {
  if (!isRow(item)) return text;
  for (const c of cellsOf(item)) { const t = textOf(c); if (t) return t; }
  return text;
}

function isSelectedItem(item) {
  if (item.tagName === 'INPUT') return item.checked;
  const yes = (el) => el.getAttribute('aria-selected') === 'true' || el.getAttribute('aria-checked') === 'true' ||
    (el.hasAttribute('aria-current') && el.getAttribute('aria-current') !== 'false');
  if (yes(item)) return true;
  return !!item.querySelector('[aria-selected=true], [aria-checked=true], [aria-current]:not([aria-current=false])');
}

// What can be picked outside lists: buttons, links, cards and other clickable things.
const PICKABLE_SEL = 'button, a[href], [role=button], [role=link], [role=tab], [role=option], [role=radio], ' +
  '[role=menuitemradio], [onclick], [tabindex]:not([tabindex^="-"])';
// Never chosen as "the thing to click" on a person's behalf unless it is what was asked for.
const DESTRUCTIVE = /verwijder|wissen|opzeggen|blokkeer|uitloggen|afmelden|delete|remove|log ?out|sign ?out/i;

// What to click for a list item: an interactive part named like the option; else the item
// itself when it is interactive; else its one harmless interactive part; else the text that
// matched (a table cell) or the item.
function clickTargetOf(item, m, option) {
  const inner = [...item.querySelectorAll(INTERACTIVE_SEL)].filter(isVisible);
  const named = inner.filter((i) => matchText(textOf(i), option) || matchText(accName(i), option));
  if (named.length === 1) return named[0];
  if (item.matches(INTERACTIVE_SEL)) return item;
  // Its one harmless control ("Bewerken" next to "Verwijderen"; never a box to tick).
  const harmless = inner.filter((i) => !DESTRUCTIVE.test(accName(i) || textOf(i)) && !i.matches(CHECKABLE_SEL));
  if (harmless.length === 1) return harmless[0];
  return m.cell || item;
}

// ---------------------------------------------------------------- custom dropdowns
// A control that opens a popup list: a combobox (not a native select), or a button that says
// it has a popup (aria-haspopup) or is expandable (aria-expanded).
function isPopupControl(el) {
  if (el.tagName === 'SELECT') return false;
  const r = roleOf(el);
  if (r === 'combobox') return true;
  if (r !== 'button') return false;
  const hp = el.getAttribute('aria-haspopup');
  return (!!hp && hp !== 'false') || el.hasAttribute('aria-expanded');
}
const POPUP_SEL = '[role=listbox], [role=menu], [role=tree], [role=grid]';
// The list a popup control opens: the one it names (aria-controls, aria-owns), else the one
// popup list right next to it (in its parent, or up to two levels further up).
function popupOf(ctrl) {
  for (const attr of ['aria-controls', 'aria-owns']) {
    for (const id of (ctrl.getAttribute(attr) || '').trim().split(/\s+/).filter(Boolean)) {
      const root = ctrl.getRootNode();
      const t = root.getElementById ? root.getElementById(id) : document.getElementById(id);
      if (!t) continue;
      if (t.matches(POPUP_SEL)) return t;
      const inner = t.querySelector(POPUP_SEL);
      if (inner) return inner;
    }
  }
  // Next to it: a closed control's popup is hidden; an open one's is shown.
  const open = ctrl.getAttribute('aria-expanded') === 'true';
  let a = ctrl.parentElement;
  for (let i = 0; i < 3 && a && a !== document.body; i++, a = a.parentElement) {
    const lists = [...a.querySelectorAll(POPUP_SEL)].filter((l) => !l.contains(ctrl) && !ctrl.contains(l) &&
      (open || !isVisible(l)));
    if (lists.length === 1) return lists[0];
    if (lists.length > 1) return null;
  }
  return null;
}
// A Popup LOV (Oracle APEX and the like): a button that opens a dialog (aria-haspopup=dialog)
// next to the read-only field showing the value. Answers that field, or null.
function lovField(ctrl) {
  if (roleOf(ctrl) !== 'button' || ctrl.getAttribute('aria-haspopup') !== 'dialog') return null;
  let a = ctrl.parentElement;
  for (let i = 0; i < 2 && a; i++, a = a.parentElement) {
    const fields = [...a.querySelectorAll('input')].filter((f) => (f.readOnly || f.getAttribute('aria-readonly') === 'true') &&
      !['hidden', 'checkbox', 'radio', 'button', 'submit'].includes(f.type) && isVisible(f));
    if (fields.length === 1) return fields[0];
    if (fields.length > 1) return null;
  }
  return null;
}
// An open dialog offering values to pick (a Popup LOV's): a visible dialog with a list in it.
function openPickerDialogs() {
  return visibleDialogs().filter((d) => deepAll(d, '[role=listbox], [role=grid], table').some(isVisible));
}
// Its search box, if it has one.
function searchBoxOf(dialog) {
  const boxes = deepAll(dialog, 'input[type=search], [role=searchbox], input[type=text]').filter((e) => isVisible(e) && isEditable(e));
  return boxes.length === 1 ? boxes[0] : null;
}

// What a closed dropdown shows as its current value.
function shownValue(ctrl) {
  if (['INPUT', 'TEXTAREA'].includes(ctrl.tagName)) return clean(ctrl.value);
  return textOf(ctrl);
}
// Among `items`, the one the control shows: the longest item text contained in its value.
function shownItem(ctrl, items) {
  const v = norm(shownValue(ctrl)); let best = null; let len = 0;
  for (const it of items) {
    const t = norm(itemText(it));
    if (t && v.includes(t) && t.length > len) { best = it; len = t.length; }
  }
  return best;
}

// The select operation: the option or item matching the text query `option` among the visible
// lists and closed dropdowns (inside the element `from` finds, if given).
async function opSelect(option, from) {
  let roots = [document.body || document.documentElement]; let fromEl = null;
  if (from) {
    const f = resolveOne(from, false);
    if (f.kind !== 'one') return Object.assign(f, { part: 'from' });
    fromEl = f.el; roots = [f.el];
  }
  let containers = [];
  for (const root of roots) {
    const own = listKind(root) ? [root] : [];
    const inner = deepAll(root, LIST_SEL).filter((c) => listKind(c));
    containers.push(...own, ...inner);
  }
  containers = uniq(containers).filter(isVisible);
  let lists = containers.map((c) => ({ c, kind: listKind(c) }));
  if (fromEl && !lists.length && !isPopupControl(fromEl)) lists = [{ c: fromEl, kind: 'generic' }];
  lists.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);

  const matches = []; const available = [];
  for (const { c, kind } of lists) {
    for (const item of itemsOf(c, kind)) {
      if (!isVisible(item)) continue;
      const t = itemText(item); if (!t) continue;
      available.push(offeredText(item, t));
      const hit = itemMatch(item, t, option);
      if (hit) matches.push({ c, kind, item, text: hit.text, cell: hit.cell });
    }
  }
  // Closed dropdowns: the options of their hidden popup lists count too, through the control.
  const controls = uniq(roots.flatMap((r) => controlsIn(r, '*'))).filter((e) => isPopupControl(e) && isVisible(e));
  const closed = [];
  for (const ctrl of controls) {
    const found = popupOf(ctrl);
    const pk = found ? listKind(found) : null;
    // Only lists of values (not menus of commands such as a user menu: a button whose popup
    // is a menu of commands is never opened to look for an option).
    const popup = found && (['listbox', 'tree', 'table'].includes(pk) ||
      (pk === 'menu' && found.querySelector('[role=menuitemradio]'))) ? found : null;
    const hp = ctrl.getAttribute('aria-haspopup');
    const field = lovField(ctrl);
    const dropdown = !!popup || !!field || roleOf(ctrl) === 'combobox' || hp === 'listbox' || (hp === 'true' && !found);
    if (!dropdown || (popup && isVisible(popup))) continue;
    const items = popup ? itemsOf(popup, pk).filter((i) => itemText(i)) : [];
    closed.push({ ctrl, popup, items, field });
    for (const item of items) {
      const t = itemText(item);
      available.push(`${t} (in the closed list of ${describe(ctrl)})`);
      if (matchText(t, option)) matches.push({ c: popup, kind: 'popup', ctrl, item, text: t, items });
    }
  }
  // Innermost: nested lists make an outer item match whenever an inner one does; an item that
  // holds a dropdown whose option matched is that dropdown, not an option itself.
  const ctrls = matches.filter((m) => m.ctrl).map((m) => m.ctrl);
  let found = matches.filter((m) => !matches.some((o) => o !== m && o.item !== m.item && m.item.contains(o.item)))
    .filter((m) => m.ctrl || !ctrls.some((c) => m.item.contains(c)));
  const seen = new Set();
  found = found.filter((m) => (seen.has(m.item) ? false : (seen.add(m.item), true)));
  if (found.length === 0) {
    // A closed dropdown that already shows the wanted value (its options may not even be in
    // the page until it opens) counts as selected.
    const showing = closed.filter((d) => d.ctrl.getAttribute('aria-expanded') !== 'true' && matchText(shownValue(d.field || d.ctrl), option));
    if (showing.length === 1) {
      const d = showing[0];
      return { kind: 'ok', mode: 'popup', already: true, text: shownValue(d.field || d.ctrl), desc: describe(d.field || d.ctrl) };
    }
    // A picker dialog is open (the flow opened it) and its list has loaded without the option:
    // type the option into its search box, once; the next attempts look at what it lists.
    const pickers = openPickerDialogs().filter(inOwnDialog);
    if (pickers.length === 1) {
      const d = pickers[0];
      if (deepAll(d, '[aria-busy=true]').some(isVisible)) return { kind: 'notFound', offered: ['(the list is still loading)'], container: 0 };
      const box = searchBoxOf(d);
      if (box && norm(box.value) !== norm(option.text)) {
        const why = await actionable(box, { editable: true });
        if (!why) return { kind: 'ok', mode: 'search', already: false, el: box, text: option.text, desc: describe(box) };
      }
    }
    // Not in any list: a lone clickable element labelled with the option (a row of buttons).
    // Never one that deletes or logs out, nor a card or paragraph that merely mentions it.
    const pickable = uniq(roots.flatMap((r) => controlsIn(r, PICKABLE_SEL))).filter((e) => isVisible(e) && !isPopupControl(e));
    let picks = pickable.filter((e) => {
      const t = textOf(e) || accName(e);
      return t && t.length <= MAX_PICK_TEXT && matchText(t, option) && !DESTRUCTIVE.test(t);
    });
    picks = picks.filter((e) => !picks.some((o) => o !== e && e.contains(o)));
    if (picks.length === 1) {
      const e = picks[0]; const t = textOf(e) || accName(e);
      if (isSelectedItem(e) || e.getAttribute('aria-pressed') === 'true') return { kind: 'ok', mode: 'item', already: true, text: t, desc: describe(e) };
      const why = await actionable(e);
      if (why) return { kind: 'notActionable', reason: why, desc: describe(e) };
      return { kind: 'ok', mode: 'item', already: false, el: e, text: t, desc: describe(e), token: arm(e) };
    }
    if (picks.length > 1) {
      return { kind: 'ambiguous', matches: picks.slice(0, MAX_OFFERED).map(describe), container: 0 };
    }
    // A closed dropdown that renders its options only when opened: open it, if it is the only one.
    const lazy = closed.filter((d) => d.items.length === 0 &&
      (d.ctrl.getAttribute('aria-expanded') === 'false' || (d.field && !pickers.length && !isDisabled(d.ctrl))));
    if (lazy.length === 1 && !showing.length) {
      const d = lazy[0];
      const why = await actionable(d.ctrl);
      if (!why) return { kind: 'ok', mode: 'open', already: false, el: d.ctrl, desc: describe(d.ctrl), token: arm(d.ctrl) };
    }
    const offered = alerts();
    const opts = uniq(available);
    offered.push(...opts.slice(0, MAX_OPTIONS));
    if (opts.length > MAX_OPTIONS) offered.push(`… and ${opts.length - MAX_OPTIONS} more`);
    return { kind: 'notFound', offered, container: 0 };
  }
  if (found.length > 1) {
    return { kind: 'ambiguous', matches: found.slice(0, MAX_OFFERED).map((m) => `${quote(m.text)} in ${describeBox(m.ctrl || m.c)}`), container: 0 };
  }
  const m = found[0];
  if (m.kind === 'popup') {
    // Closed: already showing this option → selected; else open it (the next attempt picks
    // the option from the list, now visible).
    if (shownItem(m.ctrl, m.items) === m.item) {
      return { kind: 'ok', mode: 'popup', already: true, text: m.text, desc: describe(m.ctrl) };
    }
    if (m.ctrl.getAttribute('aria-disabled') === 'true' || isDisabled(m.ctrl)) {
      return { kind: 'notActionable', reason: 'the dropdown is disabled', desc: describe(m.ctrl) };
    }
    const why = await actionable(m.ctrl);
    if (why) return { kind: 'notActionable', reason: why, desc: describe(m.ctrl) };
    return { kind: 'ok', mode: 'open', already: false, el: m.ctrl, text: m.text, desc: describe(m.ctrl), token: arm(m.ctrl) };
  }
  if (m.kind === 'select') {
    const sel = m.c;
    const already = m.item.selected && !sel.multiple;
    if (already) return { kind: 'ok', mode: 'native', already: true, text: m.text, desc: describe(sel) };
    if (m.item.disabled) return { kind: 'notActionable', reason: `option ${quote(m.text)} is disabled`, desc: describe(sel) };
    const why = await actionable(sel);
    if (why) return { kind: 'notActionable', reason: why, desc: describe(sel) };
    return { kind: 'ok', mode: 'native', already: false, el: sel, index: m.item.index, text: m.text, desc: describe(sel), token: arm(sel) };
  }
  if (isSelectedItem(m.item)) return { kind: 'ok', mode: 'item', already: true, text: m.text, desc: describe(m.item) };
  const target = clickTargetOf(m.item, m, option);
  const why = await actionable(target);
  if (why) return { kind: 'notActionable', reason: why, desc: describe(target) };
  return { kind: 'ok', mode: 'item', already: false, el: target, text: m.text, desc: describe(target), token: arm(target) };
}

