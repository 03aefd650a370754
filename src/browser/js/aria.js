// ---------------------------------------------------------------- aria: roles, names, states
// The role of an element (explicit or implicit), its accessible name (and every label a control
// has), its ARIA states, and how to describe it to a person in a message.

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

// ---------------------------------------------------------------- states
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
        const block = !/^inline/.test(winOf(c).getComputedStyle(c).display);
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
  // Ids resolve in the element's own tree (its shadow root or frame document).
  const root = el.getRootNode();
  const byId = (id) => (root.getElementById ? root.getElementById(id) : el.ownerDocument.getElementById(id));
  return clean(ids.split(/\s+/).map(byId).filter(Boolean)
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

