// ---------------------------------------------------------------- page
// Facts about the document as a whole.

function readyState() {
  return document.readyState;
}

// The HTTP status of the document's main response (Navigation Timing), or null.
function pageStatus() {
  const n = performance.getEntriesByType('navigation')[0];
  return n && n.responseStatus ? n.responseStatus : null;
}

// The messages the page shows a person now (alerts, status and live regions, also in frames
// and shadow roots), at most five.
function messages() {
  return deepAll(document, '[role=alert], [role=status], [aria-live]')
    .filter(isVisible)
    .map((e) => clean(e.innerText))
    .filter((t) => t)
    .slice(0, 5);
}
