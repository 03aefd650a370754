// locate.js — the in-page locate engine of postnl-robot.
//
// Run with WebDriver "Execute Async Script": arguments[0] is the request, the last argument the
// completion callback. ONE call per attempt: checks the obstacle triggers, resolves the query the
// way a person reads the page, checks actionability (attached, visible, enabled, stable across
// two animation frames, receives events at its centre) and answers with a JSON verdict:
//   {kind:'ok', …} | {kind:'obstacle', index} | {kind:'notFound', offered, container}
//   | {kind:'ambiguous', matches, container} | {kind:'notActionable', reason, desc}
//   | {kind:'error', message}
// On 'ok' for a mutating operation it also installs the settle instrumentation (in-flight
// fetch/XHR tracking and a token marking this document) and returns the token.
//
// Request: {op, query, obstacles, option, from, want}
//   op: 'probe'   — at least one visible match? (no waiting, no obstacles)
//       'visible' — exactly one visible match; returns its text
//       'click'   — exactly one actionable element (interactive ancestors preferred)
//       'fill'    — exactly one actionable editable control
//       'checked' — the checkbox's state
//       'check'   — the checkbox's state and, if it differs from `want`, what to click
//       'select'  — the option/item matching `option` among the lists (inside `from`, if given)
const __req = arguments[0];
const __done = arguments[arguments.length - 1];

(async function main(req) {
  'use strict';

  const MAX_OFFERED = 15;
  const MAX_OPTIONS = 50;
  const MAX_PICK_TEXT = 80;

  // ---------------------------------------------------------------- text helpers
  const clean = (s) => String(s == null ? '' : s).replace(/[\u200b\u200c\u200d\ufeff]/g, '')
    .replace(/\s+/g, ' ').trim();
  const norm = (s) => clean(s).toLowerCase();
  const compact = (s) => norm(s).replace(/ /g, '');
  const short = (s, n = 80) => { const c = clean(s); return c.length > n ? c.slice(0, n - 1) + '…' : c; };
  // What a person just looked at should be in the step's screenshot: bring it into view.
  const reveal = (el) => {
    const r = el.getBoundingClientRect();
    if (r.top < 0 || r.bottom > innerHeight || r.left < 0 || r.right > innerWidth) el.scrollIntoView({ block: 'center', inline: 'nearest' });
  };
  const quote = (s, n = 100) => JSON.stringify(short(s, n));
  function matchText(hay, tq) {
    const h = norm(hay); const n = norm(tq.text);
    return tq.mode === 'contains' ? h.includes(n) : h === n;
  }
  const uniq = (arr) => [...new Set(arr)];

  // ---------------------------------------------------------------- visibility, state
  function isVisible(el) {
    if (!el || el.nodeType !== 1 || !el.isConnected) return false;
    const tag = el.tagName;
    if (tag === 'OPTION' || tag === 'OPTGROUP') {
      const s = el.closest('select, datalist');
      return !!s && s.tagName === 'SELECT' && isVisible(s);
    }
    const cs = getComputedStyle(el);
    if (cs.display === 'contents') return [...el.children].some(isVisible);
    if (typeof el.checkVisibility === 'function' &&
        !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    if (cs.visibility !== 'visible') return false;
    const r = el.getBoundingClientRect();
    if (r.width * r.height <= 1) return false;
    // Pushed off the document's top/left edge (e.g. left:-9999px): nobody can scroll there.
    if (r.right + scrollX <= 0 || r.bottom + scrollY <= 0) return false;
    return true;
  }

  // Toggle buttons (aria-pressed) and checkable tree/list items tick like checkboxes.
  const TOGGLE_SEL = 'button[aria-pressed], [role=button][aria-pressed], [role=treeitem][aria-checked], ' +
    '[role=option][aria-checked], [role=menuitemcheckbox]';
  const CONTROL_SEL = 'input:not([type=hidden]), select, textarea, [role=checkbox], [role=switch], ' +
    '[role=radio], [role=combobox], [role=textbox], [role=listbox], [role=searchbox], ' +
    '[role=spinbutton], [role=slider], [contenteditable=""], [contenteditable=true], ' + TOGGLE_SEL;
  const CHECKABLE_SEL = 'input[type=checkbox], input[type=radio], [role=checkbox], [role=switch], ' +
    '[role=radio], [role=menuitemradio], ' + TOGGLE_SEL;
  const INTERACTIVE_SEL = 'a[href], button, input:not([type=hidden]), select, textarea, summary, ' +
    'label, [role=button], [role=link], [role=tab], [role=menuitem], [role=menuitemcheckbox], ' +
    '[role=menuitemradio], [role=option], [role=checkbox], [role=radio], [role=switch], ' +
    '[role=treeitem], [onclick], [tabindex]:not([tabindex^="-"]), [contenteditable=""], ' +
    '[contenteditable=true]';

  // A form control counts as visible when it or one of its labels is (custom checkboxes hide
  // the native input and draw the label).
  function controlVisible(el) {
    if (isVisible(el)) return true;
    return !!(el.labels && [...el.labels].some(isVisible));
  }

  function isDisabled(el) {
    try { if (el.matches(':disabled')) return true; } catch (e) { /* not a form element */ }
    return !!el.closest('[aria-disabled=true]');
  }

  function isEditable(el) {
    if (el.isContentEditable) return true;
    const tag = el.tagName;
    if (tag === 'TEXTAREA') return !el.readOnly;
    if (tag === 'INPUT') {
      const nonText = ['button', 'submit', 'reset', 'image', 'checkbox', 'radio', 'file', 'range', 'color', 'hidden'];
      return !nonText.includes(el.type) && !el.readOnly;
    }
    const role = roleOf(el);
    return ['textbox', 'searchbox', 'combobox', 'spinbutton'].includes(role) &&
      el.getAttribute('aria-readonly') !== 'true';
  }

  function isChecked(el) {
    if (el.tagName === 'INPUT') return !!el.checked;
    return el.getAttribute('aria-checked') === 'true' || el.getAttribute('aria-pressed') === 'true';
  }

  // ---------------------------------------------------------------- roles and names
  const SECTIONING = 'article, aside, main, nav, section, [role=article], [role=complementary], ' +
    '[role=main], [role=navigation], [role=region]';
  function implicitRole(el) {
    const tag = el.tagName.toLowerCase();
    switch (tag) {
      case 'button': return 'button';
      case 'a': case 'area': return el.hasAttribute('href') ? 'link' : null;
      case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6': return 'heading';
      case 'select': return (el.multiple || el.size > 1) ? 'listbox' : 'combobox';
      case 'datalist': return 'listbox';
      case 'option': return 'option';
      case 'optgroup': case 'fieldset': case 'details': return 'group';
      case 'textarea': return 'textbox';
      case 'header': return el.parentElement && el.parentElement.closest(SECTIONING) ? null : 'banner';
      case 'footer': return el.parentElement && el.parentElement.closest(SECTIONING) ? null : 'contentinfo';
      case 'nav': return 'navigation';
      case 'main': return 'main';
      case 'aside': return 'complementary';
      case 'article': return 'article';
      case 'section': return (el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby')) ? 'region' : null;
      case 'form': return 'form';
      case 'dialog': return el.open ? 'dialog' : null;
      case 'img': return el.getAttribute('alt') === '' ? null : 'img';
      case 'ul': case 'ol': case 'menu': return 'list';
      case 'li': return 'listitem';
      case 'table': return 'table';
      case 'tr': return 'row';
      case 'td': return 'cell';
      case 'th': return 'columnheader';
      case 'progress': return 'progressbar';
      case 'hr': return 'separator';
      case 'summary': return 'button';
      case 'input': {
        const t = (el.getAttribute('type') || 'text').toLowerCase();
        if (['button', 'submit', 'reset', 'image'].includes(t)) return 'button';
        if (t === 'checkbox') return el.hasAttribute('switch') ? 'switch' : 'checkbox';
        if (t === 'radio') return 'radio';
        if (t === 'range') return 'slider';
        if (t === 'number') return 'spinbutton';
        if (t === 'search') return el.hasAttribute('list') ? 'combobox' : 'searchbox';
        if (['text', 'email', 'tel', 'url', 'password'].includes(t)) return el.hasAttribute('list') ? 'combobox' : 'textbox';
        return null;
      }
      default: return null;
    }
  }
  function roleOf(el) {
    const explicit = (el.getAttribute('role') || '').trim().toLowerCase().split(/\s+/)[0];
    return explicit || implicitRole(el);
  }
  function roleMatches(el, role) {
    const r = roleOf(el);
    if (r === role) return true;
    // A modal without a role (only aria-modal) is a dialog to a person too.
    return role === 'dialog' && (r === 'alertdialog' || (!r && el.getAttribute('aria-modal') === 'true'));
  }

  const NAME_FROM_CONTENT = new Set(['button', 'link', 'heading', 'tab', 'menuitem', 'menuitemcheckbox',
    'menuitemradio', 'option', 'checkbox', 'radio', 'switch', 'cell', 'columnheader', 'rowheader', 'row',
    'treeitem', 'tooltip', 'listitem', 'status', 'alert']);

  function textOf(el) {
    const t = clean(el.innerText !== undefined ? el.innerText : el.textContent);
    if (t) return t;
    // An icon-only element: the names of its images and icons (an svg's <title>).
    const alts = [...el.querySelectorAll('img[alt], [aria-label], svg > title')]
      .map((e) => (e.tagName.toLowerCase() === 'title' ? e.textContent : e.getAttribute('alt') || e.getAttribute('aria-label')))
      .filter((t) => clean(t));
    return clean(alts.join(' '));
  }

  // The text of a label without the text of the controls it wraps.
  function labelText(label) {
    if (!label.querySelector('input, select, textarea, [role=listbox], [role=combobox]')) return clean(label.innerText || label.textContent);
    let s = '';
    const walk = (n) => {
      for (const c of n.childNodes) {
        if (c.nodeType === 3) s += c.data;
        else if (c.nodeType === 1) {
          if (c.matches('input, select, textarea, script, style, [role=listbox], [role=combobox]')) { s += ' '; continue; }
          const block = !/^inline/.test(getComputedStyle(c).display);
          if (block) s += ' ';
          walk(c);
          if (block) s += ' ';
        }
      }
    };
    walk(label);
    return clean(s);
  }

  function labelledByText(el) {
    const ids = (el.getAttribute('aria-labelledby') || '').trim();
    if (!ids) return '';
    return clean(ids.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean)
      .map((e) => clean(e.innerText || e.textContent)).join(' '));
  }

  // Every name a control is labelled with (a control may have several labels). Without any, its
  // placeholder or title is its label (as for the accessible name): "floating label" fields.
  function labelNames(el) {
    const names = [labelledByText(el), clean(el.getAttribute('aria-label'))];
    if (el.labels) for (const l of el.labels) names.push(labelText(l));
    if (!['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) && NAME_FROM_CONTENT.has(roleOf(el))) names.push(textOf(el));
    const named = names.filter(Boolean);
    if (!named.length) named.push(clean(el.getAttribute('placeholder')) || clean(el.getAttribute('title')));
    return uniq(named.filter(Boolean));
  }

  function accName(el) {
    const lb = labelledByText(el); if (lb) return lb;
    const al = clean(el.getAttribute('aria-label')); if (al) return al;
    const tag = el.tagName;
    if (tag === 'INPUT') {
      const t = el.type;
      if (['button', 'submit', 'reset'].includes(t)) return clean(el.value) || (t === 'submit' ? 'Submit' : t === 'reset' ? 'Reset' : '');
      if (t === 'image') return clean(el.alt || el.value);
    }
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(tag) && el.labels && el.labels.length) {
      const l = [...el.labels].map(labelText).filter(Boolean).join(' '); if (l) return l;
    }
    if (tag === 'IMG' || tag === 'AREA') { const a = clean(el.getAttribute('alt')); if (a) return a; }
    if (tag === 'FIELDSET') { const lg = el.querySelector(':scope > legend'); if (lg) return clean(lg.innerText); }
    if (tag === 'TABLE') { const c = el.querySelector(':scope > caption'); if (c) return clean(c.innerText); }
    if (tag === 'OPTION') return clean(el.text);
    if (NAME_FROM_CONTENT.has(roleOf(el))) { const t = textOf(el); if (t) return t; }
    return clean(el.getAttribute('title') || el.getAttribute('placeholder') || '');
  }

  // ---------------------------------------------------------------- describing elements
  function describe(el) {
    const tag = el.tagName.toLowerCase();
    let attrs = '';
    const role = el.getAttribute('role'); if (role) attrs += ` role="${role}"`;
    if (tag === 'input') attrs += ` type="${el.type}"`;
    let name = '';
    if (tag === 'select') name = el.selectedOptions && el.selectedOptions[0] ? clean(el.selectedOptions[0].text) : '';
    else name = accName(el) || (['INPUT', 'TEXTAREA'].includes(el.tagName) ? '' : textOf(el));
    return `<${tag}${attrs}>` + (name ? ' ' + quote(short(name, 60)) : '');
  }
  function describeBox(el) {
    const tag = el.tagName.toLowerCase();
    let attrs = '';
    if (el.id) attrs += ` id="${el.id}"`;
    const cls = clean(typeof el.className === 'string' ? el.className : '');
    if (cls) attrs += ` class="${short(cls, 60)}"`;
    const role = el.getAttribute('role'); if (role) attrs += ` role="${role}"`;
    const t = short(textOf(el), 50);
    return `<${tag}${attrs}>` + (t ? ' ' + quote(t) : '');
  }

  // ---------------------------------------------------------------- matching per kind
  const SKIP_TAGS = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE', 'svg', 'SVG']);

  // Innermost visible elements whose text matches; text spanning several children is matched
  // at their common parent.
  function byText(scope, tq) {
    const needle = compact(tq.text);
    const out = []; let hidden = 0;
    // walk() answers 0: no match inside, 1: a visible match inside, 2: only hidden matches.
    const walk = (el) => {
      let inside = 0;
      for (const c of el.children) {
        if (SKIP_TAGS.has(c.tagName)) continue;
        if (!compact(c.textContent).includes(needle)) continue;
        inside = Math.max(inside, walk(c));
      }
      if (inside === 1) return 1;
      const visible = isVisible(el);
      if (!matchText(el.tagName === 'OPTION' ? el.text : (visible ? el.innerText : el.textContent), tq)) return inside;
      if (visible) { out.push(el); return 1; }
      if (inside === 0) hidden++;
      return 2;
    };
    if (compact(scope.textContent).includes(needle)) walk(scope);
    for (const inp of scope.querySelectorAll('input[type=button], input[type=submit], input[type=reset]')) {
      if (matchText(inp.value, tq)) { if (isVisible(inp)) out.push(inp); else hidden++; }
    }
    if (!out.length && needle) out.push(...byOwnText(scope, tq, needle));
    return { els: out, hidden };
  }

  // Fallback for text: elements whose own text (their text nodes, without child elements such
  // as a "Nieuw" badge or a counter next to a title) matches.
  function byOwnText(scope, tq, needle) {
    const parents = new Set();
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    let n;
    while ((n = walker.nextNode())) {
      const c = compact(n.data);
      if (c && (needle.includes(c) || c.includes(needle)) && n.parentElement && !SKIP_TAGS.has(n.parentElement.tagName)) parents.add(n.parentElement);
    }
    const out = [];
    for (const el of parents) {
      if (!el.children.length) continue;
      const own = [...el.childNodes].filter((c) => c.nodeType === 3).map((c) => c.data).join(' ');
      if (matchText(own, tq) && isVisible(el)) out.push(el);
    }
    return out;
  }

  function controlsIn(scope, sel) {
    const list = [...scope.querySelectorAll(sel)];
    if (scope.matches && scope.matches(sel)) list.unshift(scope);
    return list;
  }

  function byLabel(scope, tq) {
    const out = []; let hidden = 0;
    for (const c of controlsIn(scope, CONTROL_SEL)) {
      if (!labelNames(c).some((n) => matchText(n, tq))) continue;
      if (controlVisible(c)) out.push(c); else hidden++;
    }
    if (out.length === 0) {
      // Fallback: a control sitting next to the text in the same row (unassociated label).
      for (const t of byText(scope, tq).els) {
        let a = t;
        for (let i = 0; i < 3 && a && a !== scope.parentElement; i++, a = a.parentElement) {
          const cs = controlsIn(a, CONTROL_SEL).filter(controlVisible);
          if (cs.length === 1) { out.push(cs[0]); break; }
          if (cs.length > 1) break;
        }
      }
    }
    return { els: uniq(out), hidden };
  }

  function byRole(scope, q) {
    const out = []; let hidden = 0;
    const all = controlsIn(scope, '*');
    for (const el of all) {
      if (!roleMatches(el, q.role)) continue;
      if (q.popup) {
        const hp = el.getAttribute('aria-haspopup');
        if (!((hp && hp !== 'false') || el.hasAttribute('aria-expanded'))) continue;
      }
      // The name, or the tooltip (title) of an icon button whose name is a glyph such as "×".
      if (q.name && !matchText(accName(el), q.name) && !matchText(el.getAttribute('title') || '', q.name)) continue;
      const vis = ['checkbox', 'radio', 'switch'].includes(q.role) ? controlVisible(el) : isVisible(el);
      if (vis) out.push(el); else hidden++;
    }
    return { els: out, hidden };
  }

  function byPlaceholder(scope, tq) {
    const out = []; let hidden = 0;
    for (const el of controlsIn(scope, 'input[placeholder], textarea[placeholder]')) {
      if (!matchText(el.getAttribute('placeholder'), tq)) continue;
      if (isVisible(el)) out.push(el); else hidden++;
    }
    return { els: out, hidden };
  }

  function byCss(scope, css) {
    const out = []; let hidden = 0;
    for (const el of scope.querySelectorAll(css)) { if (isVisible(el)) out.push(el); else hidden++; }
    return { els: out, hidden };
  }

  function byXpath(scope, xpath) {
    const out = []; let hidden = 0;
    const snap = document.evaluate(xpath, scope, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
    for (let i = 0; i < snap.snapshotLength; i++) {
      let n = snap.snapshotItem(i);
      if (n.nodeType !== 1) n = n.parentElement;
      if (!n) continue;
      if (isVisible(n)) out.push(n); else hidden++;
    }
    return { els: uniq(out), hidden };
  }

  function closestInteractive(el) {
    const a = el.closest(INTERACTIVE_SEL);
    return a && a !== document.body && a !== document.documentElement ? a : null;
  }

  // Several matches (or any match for an interaction): map to interactive ancestors, prefer those.
  function preferInteractive(els, interact) {
    if (!interact && els.length <= 1) return els;
    const mapped = els.map((e) => ({ e, i: closestInteractive(e) }));
    const inter = uniq(mapped.filter((m) => m.i).map((m) => m.i));
    if (inter.length) return inter;
    return uniq(els);
  }

  // ---------------------------------------------------------------- resolution
  // Returns {kind:'many', els, hidden, q, scope} or a failure verdict (container not found…).
  function matchAll(q, interact, depth = 0) {
    if (q.by === 'any') {
      let firstMany = null; let firstFail = null;
      for (const alt of q.alternatives) {
        const r = matchAll(alt, interact, depth);
        if (r.kind === 'error') return r;
        if (r.kind === 'many') {
          if (r.els.length === 1) return r;
          if (r.els.length > 1 && !firstMany) firstMany = r;
          if (r.els.length === 0 && !firstFail) firstFail = r;
        } else if (!firstFail) firstFail = r;
      }
      if (firstMany) return firstMany;
      if (firstFail && firstFail.kind === 'many') {
        // Nothing anywhere: offer what each alternative's kind would see.
        const offered = [];
        for (const alt of q.alternatives) {
          const r = matchAll(alt, interact, depth);
          if (r.kind === 'many') offered.push(...offeredFor(r.q, r.scope, r.hidden));
          else if (r.offered) offered.push(...r.offered);
        }
        return { kind: 'notFound', offered: uniq(offered).slice(0, MAX_OFFERED), container: depth };
      }
      return firstFail || { kind: 'notFound', offered: [], container: depth };
    }
    let scope = document.body || document.documentElement;
    if (q.within) {
      const c = resolveOne(q.within, false, depth + 1);
      if (c.kind !== 'one') return c;
      scope = c.el;
    }
    let r;
    switch (q.by) {
      case 'text': r = byText(scope, q.text); r.els = preferInteractive(r.els, interact); break;
      case 'label': r = byLabel(scope, q.text); break;
      case 'role': r = byRole(scope, q); break;
      case 'placeholder': r = byPlaceholder(scope, q.text); break;
      case 'css': r = byCss(scope, q.css); break;
      case 'xpath': r = byXpath(scope, q.xpath); break;
      default: return { kind: 'error', message: 'unknown locator kind ' + q.by };
    }
    return { kind: 'many', els: r.els, hidden: r.hidden, q, scope, depth };
  }

  function resolveOne(q, interact, depth = 0) {
    const r = matchAll(q, interact, depth);
    if (r.kind !== 'many') return r;
    if (r.els.length === 1) return { kind: 'one', el: r.els[0] };
    if (r.els.length === 0) return { kind: 'notFound', offered: offeredFor(r.q, r.scope, r.hidden), container: r.depth };
    return { kind: 'ambiguous', matches: r.els.slice(0, MAX_OFFERED).map(describe), container: r.depth };
  }

  function anyVisible(q) {
    const r = matchAll(q, false);
    return r.kind === 'many' && r.els.length > 0;
  }

  // ---------------------------------------------------------------- "what the page offered"
  function alerts() {
    const out = [];
    const els = document.querySelectorAll('[role=alert], [role=status], [aria-live=assertive], [aria-live=polite]');
    for (const el of els) {
      if (!isVisible(el)) continue;
      const t = textOf(el); if (!t) continue;
      out.push(`message ${quote(t, 400)}`);
    }
    return uniq(out);
  }

  function similarity(a, b) {
    if (!a || !b) return 0;
    if (a === b) return 1;
    if (b.includes(a) || a.includes(b)) return 0.9 * Math.min(a.length, b.length) / Math.max(a.length, b.length) + 0.1;
    const grams = (s) => { const m = new Map(); for (let i = 0; i < s.length - 1; i++) { const g = s.slice(i, i + 2); m.set(g, (m.get(g) || 0) + 1); } return m; };
    const ga = grams(a); const gb = grams(b); let inter = 0;
    for (const [g, n] of ga) inter += Math.min(n, gb.get(g) || 0);
    const total = Math.max(1, a.length - 1 + b.length - 1);
    let score = 2 * inter / total;
    const wa = new Set(a.split(' ')); const wb = b.split(' ');
    if (wb.some((w) => w.length > 2 && wa.has(w))) score = Math.max(score, 0.35);
    return score;
  }

  function visibleShortTexts(scope) {
    const texts = new Set();
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    let n; let count = 0;
    while ((n = walker.nextNode()) && count < 4000) {
      if (!n.data.trim()) continue;
      count++;
      const p = n.parentElement;
      if (!p || SKIP_TAGS.has(p.tagName)) continue;
      if (!isVisible(p)) continue;
      const el = closestInteractive(p) || p;
      const t = clean(el.innerText);
      if (t && t.length <= 80) texts.add(t);
    }
    for (const inp of scope.querySelectorAll('input[type=button], input[type=submit], input[type=reset]')) {
      if (isVisible(inp) && clean(inp.value)) texts.add(clean(inp.value));
    }
    return [...texts];
  }

  function offeredFor(q, scope, hidden) {
    const out = alerts();
    if (hidden) out.push(`(${hidden} matching element${hidden > 1 ? 's are' : ' is'} present but not visible)`);
    if (!q) return out.slice(0, MAX_OFFERED);
    if (q.by === 'role') {
      for (const el of controlsIn(scope, '*')) {
        if (!roleMatches(el, q.role)) continue;
        const vis = ['checkbox', 'radio', 'switch'].includes(q.role) ? controlVisible(el) : isVisible(el);
        if (!vis) continue;
        const name = accName(el);
        let s = `${q.role} ${quote(short(name, 60))}`;
        if (q.popup) {
          const hp = el.getAttribute('aria-haspopup');
          if (!((hp && hp !== 'false') || el.hasAttribute('aria-expanded'))) s += ' (no popup)';
        }
        out.push(s);
      }
    } else if (q.by === 'label') {
      for (const c of controlsIn(scope, CONTROL_SEL)) {
        if (!controlVisible(c)) continue;
        for (const n of labelNames(c)) out.push(`label ${quote(short(n, 60))}`);
      }
    } else if (q.by === 'placeholder') {
      for (const el of controlsIn(scope, 'input[placeholder], textarea[placeholder]')) {
        if (isVisible(el)) out.push(`placeholder ${quote(el.getAttribute('placeholder'))}`);
      }
    } else if (q.by === 'text') {
      const needle = norm(q.text.text);
      const scored = visibleShortTexts(scope).map((t) => ({ t, s: similarity(needle, norm(t)) }))
        .sort((a, b) => b.s - a.s);
      const good = scored.filter((x) => x.s >= 0.3).slice(0, 10);
      for (const x of good) out.push(`text ${quote(x.t)}`);
      if (!good.length) {
        const names = [];
        for (const el of scope.querySelectorAll('a[href], button, [role=button], [role=link], [role=tab], [role=menuitem]')) {
          if (isVisible(el)) { const n = accName(el); if (n) names.push(`${roleOf(el)} ${quote(short(n, 60))}`); }
        }
        out.push(...names.slice(0, 8));
      }
    }
    return uniq(out).slice(0, MAX_OFFERED);
  }

  // ---------------------------------------------------------------- actionability
  function frame() {
    return new Promise((res) => {
      let fired = false;
      const go = () => { if (!fired) { fired = true; res(); } };
      requestAnimationFrame(go);
      setTimeout(go, 100);
    });
  }
  function inViewport(r) {
    return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
  }
  function sameRect(a, b) {
    return Math.abs(a.x - b.x) < 0.5 && Math.abs(a.y - b.y) < 0.5 &&
      Math.abs(a.width - b.width) < 0.5 && Math.abs(a.height - b.height) < 0.5;
  }
  // The largest ancestor of `hit` that does not contain `el`: the overlay itself.
  function obstacleRoot(hit, el) {
    let o = hit;
    while (o.parentElement && o.parentElement !== document.body && o.parentElement !== document.documentElement &&
      !o.parentElement.contains(el)) o = o.parentElement;
    return o;
  }
  function hitOk(el, hit) {
    if (!hit) return false;
    if (hit === el || el.contains(hit)) return true;
    if (el.labels && [...el.labels].some((l) => l === hit || l.contains(hit))) return true;
    if (el.tagName === 'LABEL' && el.control && (el.control === hit || el.control.contains(hit))) return true;
    // Inside a shadow tree, elementFromPoint answers the host.
    if (hit.shadowRoot && hit.shadowRoot.contains(el)) return true;
    return false;
  }

  async function actionable(el, opts = {}) {
    if (!el.isConnected) return 'detached from the page';
    if (!isVisible(el)) return 'not visible';
    if (!opts.readOnly && isDisabled(el)) return 'disabled';
    if (opts.editable && !isEditable(el)) return 'not editable (read-only or not a text field)';
    const center = () => el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
    let scrolled = false;
    if (!inViewport(el.getBoundingClientRect())) { center(); scrolled = true; }
    await frame();
    const r1 = el.getBoundingClientRect();
    await frame();
    if (!el.isConnected) return 'detached from the page';
    const r2 = el.getBoundingClientRect();
    if (!sameRect(r1, r2)) return 'moving (not stable between animation frames)';
    // Probe the centre of the first line box (wrapped inline links) clipped to the viewport,
    // as WebDriver's click does.
    const probe = () => {
      const rects = el.getClientRects();
      const box = rects.length ? rects[0] : el.getBoundingClientRect();
      if (box.right <= 0 || box.bottom <= 0 || box.left >= innerWidth || box.top >= innerHeight) return 'outside the viewport';
      const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
      const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
      const hit = document.elementFromPoint(x, y);
      if (hitOk(el, hit)) return null;
      return hit ? 'covered by ' + describeBox(obstacleRoot(hit, el)) : 'outside the viewport';
    };
    let why = probe();
    // Under a sticky header or footer? Centre it and look once more.
    if (why && !scrolled) {
      center();
      await frame();
      why = probe();
    }
    return why;
  }

  // ---------------------------------------------------------------- settle instrumentation
  // Busy indicators: an element marked busy, or a progress bar without a value (a spinner).
  const BUSY_SEL = '[aria-busy=true], [role=progressbar]:not([aria-valuenow])';
  function installSettle(target) {
    let s = window.__robotSettle;
    if (!s) {
      s = window.__robotSettle = { seq: 0, pending: new Map(), token: null, startSeq: 0, failed: [] };
      // Data requests that answered 5xx (Resource Timing lacks those whose body the page never
      // reads): the robot reloads the page once when its element never shows because of one.
      const noteStatus = (url, status) => {
        if (status >= 500 && s.failed.length < 20) {
          try { s.failed.push([new URL(url, location.href).pathname, status]); } catch (e) { /* ignore */ }
        }
      };
      const track = () => {
        const id = ++s.seq; s.pending.set(id, true);
        let ended = false;
        // Let the page's own continuations (then-handlers, DOM updates) run first.
        return () => { if (!ended) { ended = true; setTimeout(() => s.pending.delete(id), 0); } };
      };
      const origFetch = window.fetch;
      if (typeof origFetch === 'function') {
        window.fetch = function (...a) {
          const end = track(); let p;
          try { p = origFetch.apply(this, a); } catch (e) { end(); throw e; }
          Promise.resolve(p).then((r) => { if (r) noteStatus(r.url, r.status); end(); }, end);
          return p;
        };
      }
      if (window.Response) {
        for (const m of ['json', 'text', 'arrayBuffer', 'blob', 'formData']) {
          const orig = Response.prototype[m];
          if (typeof orig !== 'function') continue;
          Response.prototype[m] = function (...a) {
            const end = track(); let p;
            try { p = orig.apply(this, a); } catch (e) { end(); throw e; }
            Promise.resolve(p).then(end, end);
            return p;
          };
        }
      }
      if (window.XMLHttpRequest) {
        const origSend = XMLHttpRequest.prototype.send;
        XMLHttpRequest.prototype.send = function (...a) {
          const end = track();
          this.addEventListener('loadend', () => { noteStatus(this.responseURL, this.status); end(); });
          try { return origSend.apply(this, a); } catch (e) { end(); throw e; }
        };
      }
    }
    s.token = 'robot-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
    s.startSeq = s.seq;
    // What the action acts on, and the busy indicators already showing (they do not count).
    s.target = target || null;
    s.at = performance.now();
    s.busyBefore = new Set([...document.querySelectorAll(BUSY_SEL)].filter(isVisible));
    return s.token;
  }

  // Whether a person can read the box's state now: not inside something marked busy, and not
  // behind anything (a loading overlay) — the box itself or one of its labels.
  async function readable(box) {
    const busy = box.closest('[aria-busy=true]');
    if (busy) return 'still loading (' + describeBox(busy) + ' is busy)';
    const why = await actionable(box, { readOnly: true });
    if (!why) return null;
    for (const l of box.labels || []) {
      if (!(await actionable(l, { readOnly: true }))) return null;
    }
    return why;
  }

  // ---------------------------------------------------------------- operations
  function checkboxOf(el) {
    if (el.matches(CHECKABLE_SEL)) return el;
    if (el.tagName === 'LABEL' && el.control && el.control.matches(CHECKABLE_SEL)) return el.control;
    const inner = [...el.querySelectorAll(CHECKABLE_SEL)];
    if (inner.length === 1) return inner[0];
    return null;
  }

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
  function itemMatch(item, text) {
    if (matchText(text, req.option)) return { text, cell: null };
    if (!isRow(item)) return null;
    for (const c of cellsOf(item)) {
      const t = textOf(c);
      if (t && matchText(t, req.option)) return { text: t, cell: c };
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
  function clickTargetOf(item, m) {
    const inner = [...item.querySelectorAll(INTERACTIVE_SEL)].filter(isVisible);
    const named = inner.filter((i) => matchText(textOf(i), req.option) || matchText(accName(i), req.option));
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
        const t = document.getElementById(id);
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

  async function opSelect() {
    let roots = [document.body || document.documentElement]; let fromEl = null;
    if (req.from) {
      const f = resolveOne(req.from, false);
      if (f.kind !== 'one') return Object.assign(f, { part: 'from' });
      fromEl = f.el; roots = [f.el];
    }
    let containers = [];
    for (const root of roots) {
      const own = listKind(root) ? [root] : [];
      const inner = [...root.querySelectorAll(LIST_SEL)].filter((c) => listKind(c));
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
        const hit = itemMatch(item, t);
        if (hit) matches.push({ c, kind, item, text: hit.text, cell: hit.cell });
      }
    }
    // Closed dropdowns: the options of their hidden popup lists count too, through the control.
    const controls = uniq(roots.flatMap((r) => controlsIn(r, '*'))).filter((e) => isPopupControl(e) && isVisible(e));
    const closed = [];
    for (const ctrl of controls) {
      const found = popupOf(ctrl);
      const pk = found ? listKind(found) : null;
      // Only lists of values (not menus of commands such as a user menu).
      const popup = found && (['listbox', 'tree', 'table'].includes(pk) ||
        (pk === 'menu' && found.querySelector('[role=menuitemradio]'))) ? found : null;
      const dropdown = !!popup || roleOf(ctrl) === 'combobox' || ['listbox', 'true'].includes(ctrl.getAttribute('aria-haspopup'));
      if (!dropdown || (popup && isVisible(popup))) continue;
      const items = popup ? itemsOf(popup, pk).filter((i) => itemText(i)) : [];
      closed.push({ ctrl, popup, items });
      for (const item of items) {
        const t = itemText(item);
        available.push(`${t} (in the closed list of ${describe(ctrl)})`);
        if (matchText(t, req.option)) matches.push({ c: popup, kind: 'popup', ctrl, item, text: t, items });
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
      const showing = closed.filter((d) => d.ctrl.getAttribute('aria-expanded') !== 'true' && matchText(shownValue(d.ctrl), req.option));
      if (showing.length === 1) {
        const d = showing[0];
        return { kind: 'ok', mode: 'popup', already: true, text: shownValue(d.ctrl), desc: describe(d.ctrl) };
      }
      // Not in any list: a lone clickable element labelled with the option (a row of buttons).
      // Never one that deletes or logs out, nor a card or paragraph that merely mentions it.
      const pickable = uniq(roots.flatMap((r) => controlsIn(r, PICKABLE_SEL))).filter((e) => isVisible(e) && !isPopupControl(e));
      let picks = pickable.filter((e) => {
        const t = textOf(e) || accName(e);
        return t && t.length <= MAX_PICK_TEXT && matchText(t, req.option) && !DESTRUCTIVE.test(t);
      });
      picks = picks.filter((e) => !picks.some((o) => o !== e && e.contains(o)));
      if (picks.length === 1) {
        const e = picks[0]; const t = textOf(e) || accName(e);
        if (isSelectedItem(e) || e.getAttribute('aria-pressed') === 'true') return { kind: 'ok', mode: 'item', already: true, text: t, desc: describe(e) };
        const why = await actionable(e);
        if (why) return { kind: 'notActionable', reason: why, desc: describe(e) };
        return { kind: 'ok', mode: 'item', already: false, el: e, text: t, desc: describe(e), token: installSettle(e) };
      }
      if (picks.length > 1) {
        return { kind: 'ambiguous', matches: picks.slice(0, MAX_OFFERED).map(describe), container: 0 };
      }
      // A closed dropdown that renders its options only when opened: open it, if it is the only one.
      const lazy = closed.filter((d) => d.items.length === 0 && d.ctrl.getAttribute('aria-expanded') === 'false');
      if (lazy.length === 1 && !showing.length) {
        const d = lazy[0];
        const why = await actionable(d.ctrl);
        if (!why) return { kind: 'ok', mode: 'open', already: false, el: d.ctrl, desc: describe(d.ctrl), token: installSettle(d.ctrl) };
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
      return { kind: 'ok', mode: 'open', already: false, el: m.ctrl, text: m.text, desc: describe(m.ctrl), token: installSettle(m.ctrl) };
    }
    if (m.kind === 'select') {
      const sel = m.c;
      const already = m.item.selected && !sel.multiple;
      if (already) return { kind: 'ok', mode: 'native', already: true, text: m.text, desc: describe(sel) };
      if (m.item.disabled) return { kind: 'notActionable', reason: `option ${quote(m.text)} is disabled`, desc: describe(sel) };
      const why = await actionable(sel);
      if (why) return { kind: 'notActionable', reason: why, desc: describe(sel) };
      return { kind: 'ok', mode: 'native', already: false, el: sel, index: m.item.index, text: m.text, desc: describe(sel), token: installSettle(sel) };
    }
    if (isSelectedItem(m.item)) return { kind: 'ok', mode: 'item', already: true, text: m.text, desc: describe(m.item) };
    const target = clickTargetOf(m.item, m);
    const why = await actionable(target);
    if (why) return { kind: 'notActionable', reason: why, desc: describe(target) };
    return { kind: 'ok', mode: 'item', already: false, el: target, text: m.text, desc: describe(target), token: installSettle(target) };
  }

  // ---------------------------------------------------------------- dispatch
  try {
    if (req.op === 'probe') return { kind: 'ok', found: anyVisible(req.query) };
    for (let i = 0; i < (req.obstacles || []).length; i++) {
      if (anyVisible(req.obstacles[i])) return { kind: 'obstacle', index: i };
    }
    if (req.op === 'select') return await opSelect();

    const interact = ['click', 'fill', 'check'].includes(req.op);
    const r = resolveOne(req.query, interact);
    if (r.kind !== 'one') return r;
    let el = r.el;

    switch (req.op) {
      case 'visible': {
        reveal(el);
        const text = ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) ? clean(el.value) : textOf(el);
        return { kind: 'ok', desc: describe(el), text };
      }
      case 'click': {
        const why = await actionable(el);
        if (why) return { kind: 'notActionable', reason: why, desc: describe(el) };
        return { kind: 'ok', el, desc: describe(el), token: installSettle(el) };
      }
      case 'fill': {
        if (el.tagName === 'LABEL' && el.control) el = el.control;
        const why = await actionable(el, { editable: true });
        if (why) return { kind: 'notActionable', reason: why, desc: describe(el) };
        return { kind: 'ok', el, desc: describe(el) };
      }
      case 'checked':
      case 'check': {
        const box = checkboxOf(el);
        if (!box) return { kind: 'notActionable', reason: 'not a checkbox: ' + describe(el), desc: describe(el) };
        const unreadable = await readable(box);
        if (unreadable) return { kind: 'notActionable', reason: 'its state cannot be read: ' + unreadable, desc: describe(box) };
        const checked = isChecked(box);
        if (req.op === 'checked' || checked === req.want) { reveal(box); return { kind: 'ok', checked, desc: describe(box) }; }
        // Click the box itself, or one of its labels when the box is hidden or covered.
        let why = await actionable(box);
        let target = box;
        if (why) {
          for (const l of box.labels || []) {
            const w = await actionable(l);
            if (!w) { why = null; target = l; break; }
          }
        }
        if (why) return { kind: 'notActionable', reason: why, desc: describe(box) };
        return { kind: 'ok', checked, el: target, desc: describe(box), token: installSettle(target) };
      }
      default:
        return { kind: 'error', message: 'unknown operation ' + req.op };
    }
  } catch (e) {
    return { kind: 'error', message: String(e && e.message ? e.message : e) };
  }
})(__req).then(__done, (e) => __done({ kind: 'error', message: String(e && e.message ? e.message : e) }));
