// ---------------------------------------------------------------- locate
// The locate engine: `locate(req)` answers ONE attempt of an element operation. It checks the
// obstacle triggers, resolves the query the way a person reads the page, checks actionability
// and answers with a JSON verdict:
//   {kind:'ok', …} | {kind:'obstacle', index} | {kind:'notFound', offered, container}
//   | {kind:'ambiguous', matches, container} | {kind:'notActionable', reason, desc}
//   | {kind:'error', message}
// On 'ok' for a mutating operation it also arms settling (see settle.js) and returns the token.
//
// Request: {op, query, obstacles, option, from, want}
//   op: 'probe'   — at least one visible match? (no waiting, no obstacles)
//       'visible' — exactly one visible match; returns its text
//       'click'   — exactly one actionable element (interactive ancestors preferred)
//       'fill'    — exactly one actionable editable control
//       'checked' — the checkbox's state
//       'check'   — the checkbox's state and, if it differs from `want`, what to click
//       'select'  — the option/item matching `option` among the lists (inside `from`, if given)

const MAX_OFFERED = 15;

// ---------------------------------------------------------------- matching per kind
const SKIP_TAGS = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE', 'svg', 'SVG']);

// Innermost visible elements whose text matches; text spanning several children is matched
// at their common parent.
function byText(scope, tq) {
  const needle = compact(tq.text);
  const out = []; let hidden = 0;
  // walk() answers 0: no match inside, 1: a visible match inside, 2: only hidden matches.
  // A visible match anywhere inside wins over hidden ones (a visually hidden heading next to
  // the visible text).
  const merge = (a, b) => (a === 1 || b === 1 ? 1 : Math.max(a, b));
  const walk = (el) => {
    let inside = 0;
    for (const c of el.children) {
      if (SKIP_TAGS.has(c.tagName)) continue;
      if (!compact(c.textContent).includes(needle) && !portals().has(c)) continue;
      inside = merge(inside, walk(c));
    }
    // Into open shadow roots and same-origin frames.
    for (const r of innerRoots(el)) {
      const found = r.nodeType === 1 ? walk(r) : [...r.children].reduce((m, c) => merge(m, walk(c)), 0);
      inside = merge(inside, found);
    }
    if (inside === 1) return 1;
    const visible = isVisible(el);
    // With only hidden matches inside (a visually hidden heading), what a person reads here is
    // the text without them.
    const text = el.tagName === 'OPTION' ? el.text : (!visible ? el.textContent : (inside === 2 ? shownText(el) : el.innerText));
    if (!matchText(text, tq)) return inside;
    if (visible) { out.push(el); return 1; }
    if (inside === 0) hidden++;
    return 2;
  };
  if (compact(scope.textContent).includes(needle) || portals().has(scope)) walk(scope);
  for (const inp of deepAll(scope, 'input[type=button], input[type=submit], input[type=reset]')) {
    if (matchText(inp.value, tq)) { if (isVisible(inp)) out.push(inp); else hidden++; }
  }
  if (!out.length && needle) out.push(...byOwnText(scope, tq, needle));
  return { els: out, hidden };
}

// The text of `el` without the text of its hidden descendants.
function shownText(el) {
  let t = '';
  for (const c of el.childNodes) {
    if (c.nodeType === 3) t += c.data;
    else if (c.nodeType === 1 && !SKIP_TAGS.has(c.tagName) && isVisible(c)) t += ' ' + shownText(c) + ' ';
  }
  return t;
}

// Fallback for text: elements whose own text (their text nodes, without child elements such
// as a "Nieuw" badge or a counter next to a title) matches.
function byOwnText(scope, tq, needle) {
  const parents = new Set();
  for (const root of deepRoots(scope)) {
    const walker = (root.ownerDocument || root).createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let n;
    while ((n = walker.nextNode())) {
      const c = compact(n.data);
      if (c && (needle.includes(c) || c.includes(needle)) && n.parentElement && !SKIP_TAGS.has(n.parentElement.tagName)) parents.add(n.parentElement);
    }
  }
  const out = [];
  for (const el of parents) {
    if (!el.children.length) continue;
    const own = [...el.childNodes].filter((c) => c.nodeType === 3).map((c) => c.data).join(' ');
    if (matchText(own, tq) && isVisible(el)) out.push(el);
  }
  return out;
}

// The elements matching `sel` in `scope` (itself included), across shadow roots and frames.
function controlsIn(scope, sel) {
  const list = deepAll(scope, sel);
  if (scope.matches && scope.matches(sel)) list.unshift(scope);
  return list;
}

// The elements whose composed subtree holds a shadow root or a same-origin frame (text
// matching cannot prune them by their own textContent). Computed once per locate call.
let portalCache = null;
function portals() {
  if (portalCache) return portalCache;
  const set = new Set();
  for (const el of deepAll(document, '*')) {
    if (!el.shadowRoot && !frameDoc(el)) continue;
    for (let e = el; e; e = composedParent(e)) set.add(e);
  }
  portalCache = set;
  return set;
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
  for (const el of deepAll(scope, css)) { if (isVisible(el)) out.push(el); else hidden++; }
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
  const els = deepAll(document, '[role=alert], [role=status], [aria-live=assertive], [aria-live=polite]');
  for (const el of els) {
    if (!isVisible(el)) continue;
    const t = textOf(el); if (!t) continue;
    out.push(`message ${quote(t, 400)}${whereIs(el)}`);
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
  const texts = new Set(); let count = 0;
  for (const root of deepRoots(scope)) {
    const walker = (root.ownerDocument || root).createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let n;
    while ((n = walker.nextNode()) && count < 4000) {
      if (!n.data.trim()) continue;
      count++;
      const p = n.parentElement;
      if (!p || SKIP_TAGS.has(p.tagName)) continue;
      if (!isVisible(p)) continue;
      const el = closestInteractive(p) || p;
      const t = clean(el.innerText);
      if (t && t.length <= 80) texts.add(t + whereIs(el));
    }
  }
  for (const inp of deepAll(scope, 'input[type=button], input[type=submit], input[type=reset]')) {
    if (isVisible(inp) && clean(inp.value)) texts.add(clean(inp.value) + whereIs(inp));
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
      let s = `${q.role} ${quote(short(name, 60))}${whereIs(el)}`;
      if (q.popup) {
        const hp = el.getAttribute('aria-haspopup');
        if (!((hp && hp !== 'false') || el.hasAttribute('aria-expanded'))) s += ' (no popup)';
      }
      out.push(s);
    }
  } else if (q.by === 'label') {
    for (const c of controlsIn(scope, CONTROL_SEL)) {
      if (!controlVisible(c)) continue;
      for (const n of labelNames(c)) out.push(`label ${quote(short(n, 60))}${whereIs(c)}`);
    }
  } else if (q.by === 'placeholder') {
    for (const el of controlsIn(scope, 'input[placeholder], textarea[placeholder]')) {
      if (isVisible(el)) out.push(`placeholder ${quote(el.getAttribute('placeholder'))}${whereIs(el)}`);
    }
  } else if (q.by === 'text') {
    const needle = norm(q.text.text);
    const scored = visibleShortTexts(scope).map((t) => ({ t, s: similarity(needle, norm(t.replace(/ \(in frame '.*'\)$/, ''))) }))
      .sort((a, b) => b.s - a.s);
    const good = scored.filter((x) => x.s >= 0.3).slice(0, 10);
    for (const x of good) out.push(`text ${quote(x.t)}`);
    if (!good.length) {
      const names = [];
      for (const el of deepAll(scope, 'a[href], button, [role=button], [role=link], [role=tab], [role=menuitem]')) {
        if (isVisible(el)) { const n = accName(el); if (n) names.push(`${roleOf(el)} ${quote(short(n, 60))}${whereIs(el)}`); }
      }
      out.push(...names.slice(0, 8));
    }
  }
  return uniq(out).slice(0, MAX_OFFERED);
}


// ---------------------------------------------------------------- operations
// The checkbox an element stands for: itself, the control of its label, or its one checkbox.
function checkboxOf(el) {
  if (el.matches(CHECKABLE_SEL)) return el;
  if (el.tagName === 'LABEL' && el.control && el.control.matches(CHECKABLE_SEL)) return el.control;
  const inner = [...el.querySelectorAll(CHECKABLE_SEL)];
  if (inner.length === 1) return inner[0];
  return null;
}


// ---------------------------------------------------------------- dispatch
// One attempt; an element in a frame is handed over through its frame's window (WebDriver
// element references belong to one frame): `frames` is the frame index path to switch into,
// and `window.__postnlRobotTarget` there holds the element. A failed search lists the visible
// cross-origin frames it could not look into (`crossOrigin`), for the robot to search them
// through WebDriver.
// One attempt, waiting inside the page: looks again after every change of the document (and at
// least every IN_PAGE_POLL_MS) until the verdict is final or `req.waitMs` has passed. Final:
// ok, an obstacle, a broken query, or not found where cross-origin frames remain to be searched
// by the robot.
async function locate(req) {
  const until = performance.now() + (req.waitMs || 0);
  for (;;) {
    const res = await locateOnce(req);
    const final = ['ok', 'obstacle', 'error'].includes(res.kind) || (res.crossOrigin && res.crossOrigin.length);
    // What the page shows, for a screenshot right after a check that changes nothing.
    if (res.kind === 'ok' && (req.op === 'visible' || req.op === 'checked')) res.look = lookNow();
    if (final || performance.now() >= until) return res;
    await nextChange(until);
  }
}

async function locateOnce(req) {
  portalCache = null;
  // A guard left from an earlier look whose click never came (see guardClick) goes.
  const tracked = window.__postnlRobotRequests;
  if (tracked && tracked.unguard) tracked.unguard();
  const res = await locateHere(req);
  if (res.el && framesOf(res.el).length) {
    const path = framePath(framesOf(res.el).pop());
    if (path) {
      winOf(res.el).__postnlRobotTarget = res.el;
      res.frames = path;
      res.where = whereIs(res.el);
      delete res.el;
    }
  }
  // A click target in the top document: guarded until the click, and the point the robot
  // clicks at (see clickPoint, guardClick).
  if (res.el && res.token && !res.frames) {
    res.point = clickPoint(res.el);
    guardClick(res.el);
  }
  if (res.kind === 'notFound' && !req.noFrames) {
    const cross = crossOriginFrames(document);
    if (cross.length) res.crossOrigin = cross;
  }
  return res;
}

async function locateHere(req) {
  try {
    if (req.op === 'probe') return { kind: 'ok', found: anyVisible(req.query) };
    const obstacle = firstObstacle(req.obstacles);
    // The robot clears the obstacle next, which may close a menu the flow opened: the open
    // ones are marked now (see popups.js), saving a call.
    if (obstacle >= 0) return { kind: 'obstacle', index: obstacle, popups: req.popupMark ? markPopups(req.popupMark) : null };
    if (req.op === 'select') return await opSelect(req.option, req.from);

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
        return { kind: 'ok', el, desc: describe(el), token: arm(el) };
      }
      case 'fill': {
        if (el.tagName === 'LABEL' && el.control) el = el.control;
        const why = await actionable(el, { editable: true });
        if (why) return { kind: 'notActionable', reason: why, desc: describe(el) };
        // Focused and selected here, so typing replaces the content (top document only: in a
        // frame the robot switches in and does it there).
        const focused = el.getRootNode() === document && focusSelect(el);
        return { kind: 'ok', el, desc: describe(el), focused };
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
        return { kind: 'ok', checked, el: target, desc: describe(box), token: arm(target) };
      }
      default:
        return { kind: 'error', message: 'unknown operation ' + req.op };
    }
  } catch (e) {
    return { kind: 'error', message: String(e && e.message ? e.message : e) };
  }
}
