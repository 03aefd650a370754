// ---------------------------------------------------------------- deep: shadow roots and frames
// A person sees one page: what web components keep in open shadow roots and what same-origin
// iframes show is part of it. These helpers walk the composed tree — the document, open shadow
// roots (recursively) and the documents of same-origin frames (recursively) — in document order.
// Cross-origin frames cannot be looked into from here: they are listed (with the WebDriver frame
// index path to switch into them) so the robot can search them through WebDriver.

// The document of a same-origin frame element, or null (cross-origin, or not loaded).
function frameDoc(el) {
  if (el.tagName !== 'IFRAME' && el.tagName !== 'FRAME') return null;
  try {
    const d = el.contentDocument;
    return d && d.documentElement ? d : null;
  } catch (e) {
    return null;
  }
}

// The roots directly below `el`: its open shadow root and, for a frame, its document's body.
function innerRoots(el) {
  const out = [];
  if (el.shadowRoot) out.push(el.shadowRoot);
  const d = frameDoc(el);
  if (d) out.push(d.body || d.documentElement);
  return out;
}

// Every element strictly inside `scope` matching `sel`, in document order, including those in
// open shadow roots and same-origin frames below it.
function deepAll(scope, sel) {
  const out = [];
  const visit = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.matches(sel)) out.push(el);
      for (const r of innerRoots(el)) {
        if (r.nodeType === 1 && r.matches(sel)) out.push(r);
        visit(r);
      }
    }
  };
  visit(scope);
  return out;
}

// `scope` and every root below it (shadow roots, frame bodies), for tree walkers.
function deepRoots(scope) {
  const out = [scope];
  for (const el of scope.querySelectorAll('*')) {
    for (const r of innerRoots(el)) out.push(...deepRoots(r));
  }
  return out;
}

// The composed parent: across a shadow root to its host, across a frame's document to the
// frame element.
function composedParent(el) {
  if (el.parentElement) return el.parentElement;
  const root = el.parentNode;
  if (root && root.host) return root.host;
  const win = el.ownerDocument && el.ownerDocument.defaultView;
  return win && win.frameElement ? win.frameElement : null;
}

// Is `el` inside `scope` in the composed tree?
function deepContains(scope, el) {
  for (let e = el; e; e = composedParent(e)) if (e === scope) return true;
  return false;
}

// The frame elements between the top document and `el`, outermost first.
function framesOf(el) {
  const out = [];
  let win = el.ownerDocument.defaultView;
  while (win && win.frameElement) { out.unshift(win.frameElement); win = win.frameElement.ownerDocument.defaultView; }
  return out;
}

// How a person names a frame: its title, its name, its document's title, or its address.
function frameName(fe) {
  const d = frameDoc(fe);
  return clean(fe.getAttribute('title')) || clean(fe.getAttribute('aria-label')) || clean(fe.getAttribute('name')) ||
    (d ? clean(d.title) : '') || clean(fe.getAttribute('src'));
}

// " (in frame 'X')" for an element inside frames (the innermost named), '' in the top document.
function whereIs(el) {
  const fs = framesOf(el);
  if (!fs.length) return '';
  return ` (in frame '${frameName(fs[fs.length - 1])}')`;
}

// The WebDriver frame index path to the frame element `fe` (window.frames indexes, outermost
// first), or null.
function framePath(fe) {
  const path = [];
  for (const f of [...framesOf(fe), fe]) {
    const parentWin = f.ownerDocument.defaultView;
    const i = [...Array(parentWin.frames.length).keys()].find((k) => parentWin.frames[k] === f.contentWindow);
    if (i === undefined) return null;
    path.push(i);
  }
  return path;
}

// The visible frames under `scope` whose documents cannot be read from here (cross-origin).
function crossOriginFrames(scope) {
  return deepAll(scope, 'iframe, frame').filter((f) => !frameDoc(f) && isVisible(f)).map((f) => ({
    path: framePath(f), name: frameName(f),
  })).filter((f) => f.path);
}

// A frame that is all an overlay shows (a consent manager's dialog): the overlay is that
// frame's dialog, not an anonymous cover.
function onlyFrameOf(el) {
  const frames = deepAll(el, 'iframe, frame').filter(isVisible);
  if (frames.length !== 1) return null;
  const text = clean(el.innerText);
  return text ? null : frames[0];
}
