// ---------------------------------------------------------------- popups
// Keeping open popups open across an obstacle handler: before it runs, the visible open popup
// triggers (`aria-expanded="true"` on a button-like element) get a mark (attribute `attr`);
// afterwards the ones closed meanwhile are clicked again.

const POPUP_TRIGGER_SEL = ['button', '[role=button]', '[role=combobox]', 'summary', 'a', 'input']
  .map((s) => s + '[aria-expanded=true]').join(', ');

function clearPopups(attr) {
  for (const e of document.querySelectorAll('[' + attr + ']')) e.removeAttribute(attr);
}

// Marks every visible open popup trigger; answers how many.
function markPopups(attr) {
  clearPopups(attr);
  let n = 0;
  for (const e of document.querySelectorAll(POPUP_TRIGGER_SEL)) {
    if (isVisible(e)) e.setAttribute(attr, String(++n));
  }
  return n;
}

// Keeps the mark only on triggers that are now closed (and still visible); answers their marks.
function closedPopups(attr) {
  const closed = [];
  for (const e of document.querySelectorAll('[' + attr + ']')) {
    if (isVisible(e) && e.getAttribute('aria-expanded') === 'false') closed.push(e.getAttribute(attr));
    else e.removeAttribute(attr);
  }
  return closed;
}
