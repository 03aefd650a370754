// ---------------------------------------------------------------- trace
// The evidence of `--trace`: the console messages (and uncaught errors) and the network
// requests of the tab, recorded in the page from the moment this script is installed in a
// document, bounded, and carried across navigations in the tab's sessionStorage (saved when a
// document is left, taken back by the next one). Requests made before the install are read from
// Resource Timing. `traceRead(dom)` hands the robot what was recorded since its last read (and
// the DOM, when asked) and forgets it.

const TRACE_KEY = '__postnlRobotTrace';
// At most this many console messages and requests are kept (the newest).
const TRACE_MAX = 400;
// Longest message or address kept, in characters.
const TRACE_TEXT = 2000;
// Largest DOM snapshot, in characters.
const DOM_MAX = 4000000;

function traceText(v) {
  let s;
  try {
    if (typeof v === 'string') s = v;
    else if (v instanceof Error) s = v.stack || String(v);
    else if (v && typeof v === 'object') s = JSON.stringify(v);
    else s = String(v);
  } catch (e) {
    s = Object.prototype.toString.call(v);
  }
  return s.length > TRACE_TEXT ? s.slice(0, TRACE_TEXT) + '…' : s;
}

function tracePush(list, entry) {
  list.push(entry);
  if (list.length > TRACE_MAX) list.splice(0, list.length - TRACE_MAX);
}

// The tab's trace log in this document: created (and hooked into console, errors and the
// request tracking) once per document.
function traceLog() {
  if (window.__postnlRobotTraceLog) return window.__postnlRobotTraceLog;
  const t = window.__postnlRobotTraceLog = {
    console: [], network: [], seen: new Set(), since: trackRequests().since,
  };
  traceRestore(t);
  const now = () => performance.timeOrigin + performance.now();
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    const orig = console[level];
    if (typeof orig !== 'function') continue;
    console[level] = function (...args) {
      tracePush(t.console, { at: now(), level, text: traceText(args.map(traceText).join(' ')) });
      return orig.apply(this, args);
    };
  }
  addEventListener('error', (e) => {
    if (e.target && e.target !== window && e.target.tagName) return; // a resource: in the network log
    const where = e.filename ? ` (${e.filename}:${e.lineno}:${e.colno})` : '';
    tracePush(t.console, { at: now(), level: 'error', text: traceText('Uncaught ' + (e.message || e.error) + where) });
  }, true);
  addEventListener('unhandledrejection', (e) => {
    tracePush(t.console, { at: now(), level: 'error', text: traceText('Unhandled rejection: ' + traceText(e.reason)) });
  });
  // fetch and XHR: described by the request tracking (settle.js), which wraps them already.
  trackRequests().onRequest = (r) => tracePush(t.network, {
    ...r, url: traceText(r.url), error: r.error === undefined ? undefined : traceText(r.error),
  });
  addEventListener('pagehide', () => {
    traceResources(t);
    // Frames have the page script too (it runs in every document): what another document of
    // the tab saved first is kept.
    try {
      const prev = JSON.parse(sessionStorage.getItem(TRACE_KEY) || '{}');
      const keep = (a, b) => (Array.isArray(a) ? a : []).concat(b).slice(-TRACE_MAX);
      sessionStorage.setItem(TRACE_KEY, JSON.stringify({
        console: keep(prev.console, t.console), network: keep(prev.network, t.network),
      }));
    } catch (e) { /* full or refused: this document's log is lost */ }
  });
  return t;
}

// Adds the document's own request and the Resource Timing entries not seen yet (scripts,
// styles, images, and requests made before the install) to the network log.
function traceResources(t) {
  const entries = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'));
  for (const e of entries) {
    const key = e.entryType + '|' + e.name + '|' + e.startTime;
    if (t.seen.has(key)) continue;
    t.seen.add(key);
    const hooked = ['fetch', 'xmlhttprequest'].includes(e.initiatorType) && e.startTime >= t.since;
    if (hooked) continue;
    tracePush(t.network, {
      at: performance.timeOrigin + e.startTime,
      method: null,
      url: traceText(e.name),
      status: e.responseStatus || null,
      ms: e.duration || (e.responseEnd ? e.responseEnd - e.startTime : null),
      kind: e.entryType === 'navigation' ? 'document' : e.initiatorType || 'other',
    });
  }
}

// Takes over what the documents the tab left saved (see `pagehide` in traceLog), ahead of this
// document's own entries; the top document only (the one the robot reads). Also asked at each
// read: the page script runs when a document starts, which can be before the previous one's
// `pagehide`.
function traceRestore(t) {
  if (window !== window.top) return;
  try {
    const saved = sessionStorage.getItem(TRACE_KEY);
    if (!saved) return;
    sessionStorage.removeItem(TRACE_KEY);
    const o = JSON.parse(saved);
    if (Array.isArray(o.console)) t.console = o.console.concat(t.console);
    if (Array.isArray(o.network)) t.network = o.network.concat(t.network);
  } catch (e) { /* storage refused: start empty */ }
}

// What was recorded since the last read (then forgotten), the page's address and, when `dom`,
// a snapshot of the DOM.
function traceRead(dom) {
  const t = traceLog();
  traceRestore(t);
  traceResources(t);
  const out = {
    url: location.href,
    title: document.title,
    console: t.console.splice(0),
    network: t.network.splice(0).sort((a, b) => a.at - b.at),
    dom: dom ? domSnapshot() : null,
  };
  return out;
}

const VOID_TAGS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

function escText(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function escAttr(s) {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

// The DOM as the person saw it, as inert HTML: the current values of fields (a password never:
// it is left empty), ticked boxes and chosen options as attributes, open shadow roots as
// declarative shadow DOM, same-origin frames inline (`srcdoc`); scripts and event-handler
// attributes left out, and a policy that runs nothing when the file is opened.
function domSnapshot() {
  const parts = [];
  let size = 0;
  const out = (s) => { size += s.length; parts.push(s); };
  const walk = (node) => {
    if (size > DOM_MAX) return;
    if (node.nodeType === 3) { out(escText(node.data)); return; }
    if (node.nodeType !== 1) return;
    const tag = node.localName;
    if (tag === 'script' || tag === 'noscript') return;
    const attrs = [];
    for (const a of node.attributes) {
      if (/^on/i.test(a.name) || (tag === 'input' && ['value', 'checked'].includes(a.name))) continue;
      if (/^\s*javascript:/i.test(a.value)) continue;
      attrs.push([a.name, a.value]);
    }
    if (tag === 'input') {
      const type = (node.type || '').toLowerCase();
      if (type === 'password') attrs.push(['value', '']);
      else if (type === 'checkbox' || type === 'radio') { if (node.checked) attrs.push(['checked', '']); }
      else if (node.value) attrs.push(['value', node.value]);
    }
    if (tag === 'option' && node.selected && !node.hasAttribute('selected')) attrs.push(['selected', '']);
    if (tag === 'iframe' || tag === 'frame') {
      const d = frameDoc(node);
      if (d) {
        const inner = [];
        const saved = parts.length;
        walk(d.documentElement);
        inner.push(...parts.splice(saved));
        attrs.push(['srcdoc', inner.join('')]);
      }
    }
    out('<' + tag + attrs.map(([n, v]) => ' ' + n + (v === '' && n !== 'value' && n !== 'srcdoc' ? '' : '="' + escAttr(v) + '"')).join('') + '>');
    if (VOID_TAGS.has(tag)) return;
    if (node.shadowRoot) {
      out('<template shadowrootmode="open">');
      for (const c of node.shadowRoot.childNodes) walk(c);
      out('</template>');
    }
    if (tag === 'textarea') out(escText(node.value));
    else if (tag === 'style') out(node.textContent);
    else for (const c of (tag === 'template' ? node.content.childNodes : node.childNodes)) walk(c);
    out('</' + tag + '>');
  };
  walk(document.documentElement);
  let html = parts.join('');
  if (size > DOM_MAX) html = html.slice(0, DOM_MAX) + '<!-- cut: the page is larger -->';
  const head = '<!DOCTYPE html>\n<meta http-equiv="Content-Security-Policy" content="script-src \'none\'">\n' +
    '<!-- postnl-robot DOM snapshot of ' + escText(location.href).replace(/--/g, '- -') + ' -->\n';
  return head + html;
}
