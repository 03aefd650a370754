// ---------------------------------------------------------------- fingerprint (verify)
// What `verify` compares with a baseline. For the elements a step touches: their role and
// accessible name, and the labelled things around them — the form, tree, menu, list or group
// they live in — each with the names of the groups (fieldset legends, named groups) it sits in.
// Ids, classes, attribute order, values and states (ticked, selected, typed text) are never
// read; the options of a dropdown or listbox are data, not labels, and are left out. Items are
// listed in document order. Masked regions (`mask` in the flow) are left out of the items and
// answered as rectangles in screenshot pixels.
//
// Request: {targets: [{query?, option?, nameless}], masks: [query]}
// Answer:  {path, title, targets: [{found, role, name, items: [{role, name, group}]}], masks: [rect]}

const FP_ROOT_SEL = 'form, [role=form], [role=tree], [role=menu], [role=menubar], [role=listbox], ' +
  '[role=radiogroup], [role=tablist], [role=toolbar], nav, [role=navigation], dialog, [role=dialog], ' +
  '[role=alertdialog], table, [role=table], [role=grid]';
const FP_GROUP_SEL = 'fieldset, [role=group], [role=region], section[aria-label], section[aria-labelledby], ' +
  'ul, ol, [role=list]';
const FP_ITEM_SEL = CONTROL_SEL + ', a[href], button, [role=button], [role=link], [role=menuitem], ' +
  '[role=tab], [role=treeitem], h1, h2, h3, h4, h5, h6, [role=heading]';
const FP_DATA_SEL = 'option, [role=option], select *, [role=listbox] *';
const FP_MAX_ITEMS = 300;

// The region around `el` whose labels count: its form, tree, menu, navigation, dialog or table;
// else its group or list; else its parent.
function fpRoot(el) {
  const doc = el.ownerDocument;
  const top = (c) => c && c !== doc.body && c !== doc.documentElement;
  const root = fpClosest(el, FP_ROOT_SEL);
  if (top(root)) return root;
  const group = fpClosest(el, FP_GROUP_SEL);
  if (top(group)) return group;
  const parent = fpParent(el);
  return top(parent) ? parent : el;
}

// The parent across a shadow root to its host (not across a frame: a frame's document is a
// page of its own).
function fpParent(el) {
  if (el.parentElement) return el.parentElement;
  const root = el.parentNode;
  return root && root.host ? root.host : null;
}

// `closest` across shadow roots.
function fpClosest(el, sel) {
  for (let e = el; e; e = fpParent(e)) if (e.matches(sel)) return e;
  return null;
}

// The name of a group: a fieldset's legend, an aria name, or a tree item's own label.
function fpGroupName(g) {
  if (g.tagName === 'FIELDSET') {
    const lg = g.querySelector(':scope > legend');
    if (lg) return clean(lg.innerText || lg.textContent);
  }
  return labelledByText(g) || clean(g.getAttribute('aria-label'));
}

// The names of the named groups `el` sits in (fieldsets with a legend, named ARIA groups, tree
// items holding it), outermost first, joined by " › ". Independent of the region looked at, so
// the same element is described the same way from every target.
const FP_NAMED_GROUP_SEL = 'fieldset, [role=group], [role=radiogroup], [role=treeitem]';
function fpGroups(el) {
  const names = [];
  for (let p = fpParent(el); p && p !== el.ownerDocument.body; p = fpParent(p)) {
    if (!p.matches(FP_NAMED_GROUP_SEL)) continue;
    const n = fpGroupName(p);
    if (n) names.unshift(n);
  }
  return names.join(' › ');
}

function fpMasked(el, masks) {
  return masks.some((m) => deepContains(m, el));
}

function fpItem(el) {
  const role = roleOf(el) || el.tagName.toLowerCase();
  const name = el.matches(CONTROL_SEL) ? (labelNames(el)[0] || accName(el)) : (accName(el) || textOf(el));
  return { role, name: short(name, 120), group: fpGroups(el) };
}

function fpItems(root, masks) {
  const out = []; const seen = new Set();
  for (const el of controlsIn(root, FP_ITEM_SEL)) {
    if (out.length >= FP_MAX_ITEMS) break;
    if (el.matches(FP_DATA_SEL) || fpMasked(el, masks)) continue;
    if (!controlVisible(el)) continue;
    // A control inside another item (a checkbox inside its tree item) is described once.
    if (el.parentElement && el.parentElement.closest(FP_ITEM_SEL) && root.contains(el.parentElement.closest(FP_ITEM_SEL)) &&
        !['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) continue;
    const it = fpItem(el);
    if (!it.name) continue;
    const key = it.role + '\u0000' + it.name + '\u0000' + it.group;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(it);
  }
  return out;
}

// The list (native select, listbox, list) offering an option whose text matches `tq`.
function fpOptionList(tq) {
  for (const c of deepAll(document, LIST_SEL)) {
    const kind = listKind(c) || 'generic';
    if (!['select', 'listbox', 'radiogroup', 'tablist', 'tree', 'menu'].includes(kind)) continue;
    if (!controlVisible(c)) continue;
    for (const item of itemsOf(c, kind)) {
      if (itemMatch(item, itemText(item), tq)) return c;
    }
  }
  return null;
}

function fpTarget(t, masks) {
  let el = null;
  if (t.option) el = fpOptionList(t.option);
  else if (t.query) {
    const r = matchAll(t.query, true);
    if (r.kind === 'many') {
      const els = preferInteractive(r.els, true);
      if (els.length === 1) el = els[0];
    }
  }
  if (!el) return { found: false, role: '', name: '', items: [] };
  if (el.tagName === 'LABEL' && el.control) el = el.control;
  const root = fpRoot(el);
  const self = fpItem(el);
  return {
    found: true,
    role: self.role,
    name: t.nameless ? '' : self.name,
    items: fpItems(root, masks),
  };
}

// Every visible element the masks find.
function fpMaskElements(masks) {
  const out = [];
  for (const q of masks || []) {
    const r = matchAll(q, false);
    if (r.kind === 'many') out.push(...r.els);
  }
  return out;
}

function fingerprint(req) {
  const masks = fpMaskElements(req.masks);
  const dpr = window.devicePixelRatio || 1;
  const rects = masks.filter(isVisible).map((m) => {
    const r = m.getBoundingClientRect();
    return {
      x: Math.max(0, Math.floor(r.left * dpr)), y: Math.max(0, Math.floor(r.top * dpr)),
      width: Math.ceil(r.width * dpr), height: Math.ceil(r.height * dpr),
    };
  }).filter((r) => r.width > 0 && r.height > 0);
  return {
    path: location.pathname,
    title: clean(document.title),
    targets: (req.targets || []).map((t) => fpTarget(t, masks)),
    masks: rects,
  };
}

// Every text a locator of this kind could have meant, on the whole page (for "did you mean"):
// label names of controls, accessible names of a role, placeholders, or short visible texts.
function candidates(q) {
  const out = [];
  const scope = document.body || document.documentElement;
  if (q.by === 'label') {
    for (const c of controlsIn(scope, CONTROL_SEL)) if (controlVisible(c)) out.push(...labelNames(c));
  } else if (q.by === 'role') {
    for (const el of controlsIn(scope, '*')) {
      if (!roleMatches(el, q.role)) continue;
      const vis = ['checkbox', 'radio', 'switch'].includes(q.role) ? controlVisible(el) : isVisible(el);
      if (vis) { const n = accName(el); if (n) out.push(n); }
    }
  } else if (q.by === 'placeholder') {
    for (const el of controlsIn(scope, 'input[placeholder], textarea[placeholder]')) {
      if (isVisible(el)) out.push(clean(el.getAttribute('placeholder')));
    }
  } else if (q.by === 'text') {
    out.push(...visibleShortTexts(scope));
  } else if (q.by === 'any') {
    for (const a of q.alternatives) out.push(...candidates(a));
  }
  return uniq(out.filter(Boolean)).slice(0, 500);
}
