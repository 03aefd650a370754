// ---------------------------------------------------------------- obstacles
// What stands between a person and the page: the flow's obstacle triggers (a cookie banner, an
// interstitial) showing anywhere, and whatever covers the element about to be used.

// The index of the first obstacle trigger (a query) that finds a visible element, or -1.
function firstObstacle(obstacles) {
  for (let i = 0; i < (obstacles || []).length; i++) {
    if (anyVisible(obstacles[i])) return i;
  }
  return -1;
}

// The largest ancestor of `hit` that does not contain `el`: the overlay itself.
function obstacleRoot(hit, el) {
  let o = hit;
  while (o.parentElement && o.parentElement !== document.body && o.parentElement !== document.documentElement &&
    !o.parentElement.contains(el)) o = o.parentElement;
  return o;
}

// Does a click landing on `hit` reach `el` (itself, inside it, its label, its shadow host)?
function hitOk(el, hit) {
  if (!hit) return false;
  if (hit === el || el.contains(hit)) return true;
  if (el.labels && [...el.labels].some((l) => l === hit || l.contains(hit))) return true;
  if (el.tagName === 'LABEL' && el.control && (el.control === hit || el.control.contains(hit))) return true;
  // Inside a shadow tree, elementFromPoint answers the host.
  if (hit.shadowRoot && hit.shadowRoot.contains(el)) return true;
  return false;
}

// Null when `el` receives events at the centre of its first line box (wrapped inline links),
// clipped to the viewport, as WebDriver's click does; else what is in the way.
function coveredBy(el) {
  const rects = el.getClientRects();
  const box = rects.length ? rects[0] : el.getBoundingClientRect();
  if (box.right <= 0 || box.bottom <= 0 || box.left >= innerWidth || box.top >= innerHeight) return 'outside the viewport';
  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  if (hitOk(el, hit)) return null;
  return hit ? 'covered by ' + describeBox(obstacleRoot(hit, el)) : 'outside the viewport';
}
