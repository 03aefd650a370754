// ---------------------------------------------------------------- obstacles
// What stands between a person and the page: the flow's obstacle triggers (a cookie banner, an
// interstitial) showing anywhere, and whatever covers the element about to be used.

// The index of the first obstacle trigger (a query) that finds a visible element, or -1. What
// sits in a dialog the flow itself just opened (see `ownDialogs`) is the flow's work, not an
// obstacle: an APEX dialog's own "Sluiten" is not a notice to close.
function firstObstacle(obstacles) {
  for (let i = 0; i < (obstacles || []).length; i++) {
    const r = matchAll(obstacles[i], false);
    if (r.kind === 'many' && r.els.some((e) => !inOwnDialog(e))) return i;
  }
  return -1;
}

// ---------------------------------------------------------------- dialogs the flow opened
const OWN_ATTR = 'data-postnl-robot-own-dialog';
const DIALOG_SEL = 'dialog[open], [role=dialog], [role=alertdialog], [aria-modal=true]';

// The visible dialogs of the page (the top document, shadow roots and same-origin frames).
function visibleDialogs() {
  return deepAll(document, DIALOG_SEL).filter(isVisible);
}

// Marks the dialogs that showed up since `before` (a Set) as opened by the flow's own action.
function ownDialogs(before) {
  for (const d of visibleDialogs()) if (!before.has(d)) d.setAttribute(OWN_ATTR, '');
}

// Is `el` inside a dialog the flow opened (across shadow roots and frames)?
function inOwnDialog(el) {
  for (let e = el; e; e = composedParent(e)) if (e.hasAttribute && e.hasAttribute(OWN_ATTR) && isVisible(e)) return true;
  return false;
}

// The largest ancestor of `hit` that does not contain `el`: the overlay itself.
function obstacleRoot(hit, el) {
  const body = hit.ownerDocument.body; const html = hit.ownerDocument.documentElement;
  let o = hit;
  while (o.parentElement && o.parentElement !== body && o.parentElement !== html &&
    !o.parentElement.contains(el)) o = o.parentElement;
  return o;
}

// Does a click landing on `hit` reach `el` (itself, inside it, its label, its shadow host)?
function hitOk(el, hit) {
  if (!hit) return false;
  if (hit === el || el.contains(hit)) return true;
  if (el.labels && [...el.labels].some((l) => l === hit || l.contains(hit))) return true;
  if (el.tagName === 'LABEL' && el.control && (el.control === hit || el.control.contains(hit))) return true;
  // Inside a shadow tree, elementFromPoint of an outer root answers the host.
  if (hit.shadowRoot && deepContains(hit, el)) return true;
  return false;
}

// A cover, as a person would name it: an overlay that only shows a frame is that frame's dialog.
function describeCover(o) {
  const f = onlyFrameOf(o);
  return f ? `the frame '${frameName(f)}' over the page` : describeBox(o);
}

// Where a click aims at `el`: the centre of its first line box (wrapped inline links), clipped to
// its window's viewport, with that box.
function aim(el) {
  const rects = el.getClientRects();
  const box = rects.length ? rects[0] : el.getBoundingClientRect();
  const w = winOf(el);
  return {
    box,
    x: Math.min(Math.max(box.left + box.width / 2, 0), w.innerWidth - 1),
    y: Math.min(Math.max(box.top + box.height / 2, 0), w.innerHeight - 1),
  };
}

// Where a click on `el` (in the top document) lands: the centre of its first line box, in
// whole CSS pixels of the viewport, as [x, y] — when a click there reaches `el`; else null.
// Null too for a form's submit control: a form submission navigates a task later, which the
// driver waits for after its own element click but not always after a pointer action.
function clickPoint(el) {
  if (winOf(el) !== window) return null;
  const control = el.closest('button, input');
  if (control && control.form && ['submit', 'image'].includes(control.type)) return null;
  const a = aim(el), box = a.box, x = Math.floor(a.x), y = Math.floor(a.y);
  if (x < box.left || x >= box.right || y < box.top || y >= box.bottom) return null;
  const root = el.getRootNode();
  return hitOk(el, (root.elementFromPoint ? root : document).elementFromPoint(x, y)) ? [x, y] : null;
}

// Until the robot's click on `el` (in the top document) has happened: a trusted pointer, mouse or
// click event that lands on something else (a cover that appeared after the check) is stopped
// before the page sees it, so nothing the flow did not name gets the click. Lifted after the click,
// or by the next look after the action (see settleLook), or after 5 s.
const CLICK_EVENTS = ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click'];
function guardClick(el) {
  const s = trackRequests();
  if (s.unguard) s.unguard();
  // Decided by where the press lands (the first event): a press on `el` lets the release and
  // the click through wherever they go, as for a person; a press elsewhere stops all three.
  let lands = null;
  const guard = (e) => {
    if (!e.isTrusted) return;
    if (lands === null) {
      const hit = e.composedPath()[0];
      lands = hit instanceof Element && (hitOk(el, hit) || deepContains(el, hit));
      if (!lands) s.missed = describe(obstacleRoot(hit instanceof Element ? hit : document.body, el));
    }
    if (!lands) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
    if (e.type === 'click') unguard();
  };
  const timer = setTimeout(() => unguard(), 5000);
  const unguard = () => {
    clearTimeout(timer);
    for (const t of CLICK_EVENTS) window.removeEventListener(t, guard, true);
    if (s.unguard === unguard) s.unguard = null;
  };
  for (const t of CLICK_EVENTS) window.addEventListener(t, guard, true);
  s.unguard = unguard;
}

// Null when `el` receives events at the centre of its first line box (wrapped inline links),
// clipped to the viewport, as WebDriver's click does; else what is in the way. In a frame, the
// point must also be inside the frame's box (clipping) and reach the frame in its parent
// document, up to the top.
function coveredBy(el) {
  let { box, x, y } = aim(el);
  const w = winOf(el);
  if (box.right <= 0 || box.bottom <= 0 || box.left >= w.innerWidth || box.top >= w.innerHeight) return 'outside the viewport';
  const root = el.getRootNode();
  const hit = (root.elementFromPoint ? root : el.ownerDocument).elementFromPoint(x, y);
  if (!hitOk(el, hit)) return hit ? 'covered by ' + describeCover(obstacleRoot(hit, el)) : 'outside the viewport';
  // Up through the frames.
  for (let fw = w; fw.frameElement; fw = winOf(fw.frameElement)) {
    const fe = fw.frameElement; const r = fe.getBoundingClientRect();
    const cs = winOf(fe).getComputedStyle(fe);
    const left = r.left + fe.clientLeft + parseFloat(cs.paddingLeft || 0);
    const top = r.top + fe.clientTop + parseFloat(cs.paddingTop || 0);
    if (x >= fe.clientWidth || y >= fe.clientHeight) return `clipped by its frame '${frameName(fe)}'`;
    x += left; y += top;
    const pw = winOf(fe);
    if (x < 0 || y < 0 || x >= pw.innerWidth || y >= pw.innerHeight) return `outside the viewport (in frame '${frameName(fe)}')`;
    const froot = fe.getRootNode();
    const fhit = (froot.elementFromPoint ? froot : fe.ownerDocument).elementFromPoint(x, y);
    if (!hitOk(fe, fhit)) return fhit ? `covered by ${describeCover(obstacleRoot(fhit, fe))} (over frame '${frameName(fe)}')` : 'outside the viewport';
  }
  return null;
}
