// ---------------------------------------------------------------- inspect: what a person sees
// For `postnl-robot inspect`: every visible control, link, button and heading of the page
// (including open shadow roots and same-origin frames), with its role, accessible name and
// labels, and the region (landmark or dialog) it is in, so the robot can print ready-to-paste
// locators grouped the way a person scans the page.

const INSPECT_SEL = INTERACTIVE_SEL + ', h1, h2, h3, h4, h5, h6, [role=heading], [role=tree], [role=listbox]';
const REGION_ROLES = new Set(['banner', 'navigation', 'main', 'contentinfo', 'complementary', 'search',
  'dialog', 'alertdialog', 'region', 'form']);
const INSPECT_MAX = 500;

// The innermost region `el` is in: { role, name }; named forms and regions only.
function regionOf(el) {
  for (let a = composedParent(el); a; a = composedParent(a)) {
    if (a.nodeType !== 1) continue;
    let r = roleOf(a);
    if (roleMatches(a, 'dialog')) r = r === 'alertdialog' ? r : 'dialog';
    if (!REGION_ROLES.has(r)) continue;
    const name = accName(a);
    if ((r === 'form' || r === 'region') && !name) continue;
    return { role: r, name };
  }
  return { role: '', name: '' };
}

function inspect() {
  const out = [];
  for (const el of deepAll(document.documentElement, INSPECT_SEL)) {
    if (out.length >= INSPECT_MAX) break;
    if (el.tagName === 'LABEL') continue;
    const role = roleOf(el);
    if (!role || role === 'generic' || role === 'presentation' || role === 'none') continue;
    const control = el.matches(CONTROL_SEL);
    if (!(control ? controlVisible(el) : isVisible(el))) continue;
    const region = regionOf(el);
    out.push({
      role,
      name: accName(el),
      labels: control ? labelNames(el) : [],
      region: region.role,
      region_name: region.name,
      frame: framesOf(el).map(frameName).join(' › '),
    });
  }
  return out;
}
