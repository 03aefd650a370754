// ---------------------------------------------------------------- forms
// Form helpers for the actions after `locate` found the control.

// Sets a native <select> to the option at `index` and fires input + change like a user's
// choice would; answers whether it is selected.
function selectOption(sel, index) {
  const o = sel.options[index];
  if (!o.selected) {
    sel.focus();
    o.selected = true;
    sel.dispatchEvent(new Event('input', { bubbles: true }));
    sel.dispatchEvent(new Event('change', { bubbles: true }));
  }
  return o.selected;
}

// Focuses a field and selects its content, so typed text replaces it; answers whether it has
// focus.
function focusSelect(el) {
  el.focus();
  if (typeof el.select === 'function') el.select();
  return document.activeElement === el;
}
