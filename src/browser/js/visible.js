// ---------------------------------------------------------------- visible, actionable
// THE definition of "visible", used by everything the robot looks at (locating, obstacles,
// busy indicators, open popups, messages): connected, rendered (`checkVisibility` with opacity
// and visibility), not `visibility: hidden`, larger than one pixel, and not pushed off the
// document's top/left edge. An option is visible when its `<select>` is; an element with
// `display: contents` when one of its children is.
function isVisible(el) {
  if (!el || el.nodeType !== 1 || !el.isConnected) return false;
  const tag = el.tagName;
  if (tag === 'OPTION' || tag === 'OPTGROUP') {
    const s = el.closest('select, datalist');
    return !!s && s.tagName === 'SELECT' && isVisible(s);
  }
  const win = winOf(el);
  const cs = win.getComputedStyle(el);
  if (cs.display === 'contents') return [...el.children].some(isVisible);
  if (typeof el.checkVisibility === 'function' &&
      !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
  if (cs.visibility !== 'visible') return false;
  const r = el.getBoundingClientRect();
  if (r.width * r.height <= 1) return false;
  // Pushed off the document's top/left edge (e.g. left:-9999px): nobody can scroll there.
  if (r.right + win.scrollX <= 0 || r.bottom + win.scrollY <= 0) return false;
  // Inside a frame: only if the frame itself is.
  return !win.frameElement || isVisible(win.frameElement);
}

// The window an element lives in (its frame's, for elements in frames).
function winOf(el) {
  return (el.ownerDocument && el.ownerDocument.defaultView) || window;
}

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

// What a person just looked at should be in the step's screenshot: bring it into view.
const reveal = (el) => {
  const r = el.getBoundingClientRect(); const w = winOf(el);
  if (r.top < 0 || r.bottom > w.innerHeight || r.left < 0 || r.right > w.innerWidth) el.scrollIntoView({ block: 'center', inline: 'nearest' });
};

// Resolves after the next animation frame (or 100 ms, in a background tab).
function frame() {
  return new Promise((res) => {
    let fired = false;
    const go = () => { if (!fired) { fired = true; res(); } };
    requestAnimationFrame(go);
    setTimeout(go, 100);
  });
}
function inViewport(r, w = window) {
  return r.top >= 0 && r.left >= 0 && r.bottom <= w.innerHeight && r.right <= w.innerWidth;
}
function sameRect(a, b) {
  return Math.abs(a.x - b.x) < 0.5 && Math.abs(a.y - b.y) < 0.5 &&
    Math.abs(a.width - b.width) < 0.5 && Math.abs(a.height - b.height) < 0.5;
}

// Why a person could not act on `el` now, or null: attached, visible, enabled (unless
// `readOnly`), editable (if `editable`), stable across two animation frames, and receiving
// events at its centre (see `coveredBy`).
async function actionable(el, opts = {}) {
  if (!el.isConnected) return 'detached from the page';
  if (!isVisible(el)) return 'not visible';
  if (!opts.readOnly && isDisabled(el)) return 'disabled';
  if (opts.editable && !isEditable(el)) return 'not editable (read-only or not a text field)';
  const center = () => el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
  let scrolled = false;
  if (!inViewport(el.getBoundingClientRect(), winOf(el))) { center(); scrolled = true; }
  await frame();
  const r1 = el.getBoundingClientRect();
  await frame();
  if (!el.isConnected) return 'detached from the page';
  const r2 = el.getBoundingClientRect();
  if (!sameRect(r1, r2)) return 'moving (not stable between animation frames)';
  let why = coveredBy(el);
  // Under a sticky header or footer? Centre it and look once more.
  if (why && !scrolled) {
    center();
    await frame();
    why = coveredBy(el);
  }
  return why;
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
