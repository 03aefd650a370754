// ---------------------------------------------------------------- waiting in the page
// How often (at least) a wait inside the page looks again: some changes come without a DOM
// mutation (layout, animations, shadow roots, frames, requests ending).
const IN_PAGE_POLL_MS = 100;

// Resolves at the next change of the document (after the mutations' own task), at the next
// end of a tracked request, after IN_PAGE_POLL_MS, or at `until` (performance.now() time),
// whichever comes first.
function nextChange(until) {
  return new Promise((done) => {
    let ended = false;
    let observer = null;
    const s = window.__postnlRobotRequests;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      if (observer) observer.disconnect();
      if (s && s.wake === wake) s.wake = null;
      done();
    };
    const wake = () => setTimeout(end, 0);
    const timer = setTimeout(end, Math.max(0, Math.min(IN_PAGE_POLL_MS, until - performance.now())));
    try {
      observer = new MutationObserver(wake);
      observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    } catch (e) { observer = null; }
    if (s) s.wake = wake;
  });
}

// ---------------------------------------------------------------- settle
// After an action: has the page finished what the action started? The page's fetch/XHR traffic
// is tracked from the moment this script is installed (`window.__postnlRobotRequests`: requests
// in flight, data requests that answered 5xx); `arm(target)` marks the moment of an action and
// answers a token; `settle(token, grace)` then says whether the page is quiet again.

// Busy indicators: an element marked busy, or a progress bar without a value (a spinner).
const BUSY_SEL = '[aria-busy=true], [role=progressbar]:not([aria-valuenow])';

// The visible busy indicators (in the document and its frames), except those in `except`.
function busyIndicators(except) {
  return deepAll(document, BUSY_SEL).filter((e) => !(except && except.has(e)) && isVisible(e));
}

// Wraps fetch, the Response body readers and XHR once per document to count requests in
// flight, note data requests that answered 5xx and describe each finished one to `s.onRequest`
// (the trace log, see trace.js): {at, method, url, status, ms, kind, error}.
function trackRequests(window = self) {
  if (window.__postnlRobotRequests) return window.__postnlRobotRequests;
  const s = window.__postnlRobotRequests = {
    seq: 0, pending: new Map(), token: null, startSeq: 0, failed: [], onRequest: null, since: performance.now(),
    submitted: null,
  };
  // A form sent the browser's way navigates a task after its submit event: noted, so settling
  // waits for the page it loads (see busyReason). Whether the page's own script took the
  // submission over (preventDefault) is read later, once the event has been handled.
  try {
    window.addEventListener('submit', (e) => { s.submitted = { event: e, at: performance.now() }; }, true);
  } catch (e) { /* not a window */ }
  const now = () => performance.timeOrigin + performance.now();
  const abs = (u) => { try { return new URL(u, location.href).href; } catch (e) { return String(u); } };
  const describe = (kind, method, url, start, status, error) => {
    if (s.onRequest) s.onRequest({ at: start, method, url: abs(url), status: status || null, ms: now() - start, kind, error });
  };
  const { Response, XMLHttpRequest } = window;
  // Data requests that answered 5xx (Resource Timing lacks those whose body the page never
  // reads): the robot reloads the page once when its element never shows because of one.
  const noteStatus = (url, status) => {
    if (status >= 500 && s.failed.length < 20) {
      try { s.failed.push([new URL(url, location.href).pathname, status]); } catch (e) { /* ignore */ }
    }
  };
  const track = () => {
    const id = ++s.seq; s.pending.set(id, true);
    let ended = false;
    // Let the page's own continuations (then-handlers, DOM updates) run first.
    return () => {
      if (!ended) { ended = true; setTimeout(() => { s.pending.delete(id); if (s.wake) s.wake(); }, 0); }
    };
  };
  const origFetch = window.fetch;
  if (typeof origFetch === 'function') {
    window.fetch = function (...a) {
      const end = track(), start = now(), [input, init] = a;
      const method = String((init && init.method) || (input && input.method) || 'GET').toUpperCase();
      const url = input && input.url ? input.url : String(input);
      let p;
      try { p = origFetch.apply(this, a); } catch (e) { end(); throw e; }
      Promise.resolve(p).then((r) => {
        if (r) noteStatus(r.url, r.status);
        describe('fetch', method, url, start, r && r.status);
        end();
      }, (e) => {
        describe('fetch', method, url, start, null, String(e && e.message ? e.message : e));
        end();
      });
      return p;
    };
  }
  if (window.Response) {
    for (const m of ['json', 'text', 'arrayBuffer', 'blob', 'formData']) {
      const orig = Response.prototype[m];
      if (typeof orig !== 'function') continue;
      Response.prototype[m] = function (...a) {
        const end = track(); let p;
        try { p = orig.apply(this, a); } catch (e) { end(); throw e; }
        Promise.resolve(p).then(end, end);
        return p;
      };
    }
  }
  if (window.XMLHttpRequest) {
    const { open: origOpen, send: origSend } = XMLHttpRequest.prototype;
    XMLHttpRequest.prototype.open = function (...a) {
      this.__postnlRobotReq = { method: String(a[0] || 'GET').toUpperCase(), url: a[1] };
      return origOpen.apply(this, a);
    };
    XMLHttpRequest.prototype.send = function (...a) {
      const end = track(), start = now(), req = this.__postnlRobotReq || { method: 'GET', url: '' };
      this.addEventListener('loadend', () => {
        noteStatus(this.responseURL, this.status);
        describe('xhr', req.method, req.url, start, this.status);
        end();
      });
      try { return origSend.apply(this, a); } catch (e) { end(); throw e; }
    };
  }
  return s;
}

// Marks the moment of an action on `target`: requests started from now on count, busy
// indicators already showing do not. Answers the token `settle` checks.
// A target in a same-origin frame: that frame's requests are tracked too (`s.frame`).
function arm(target) {
  const s = trackRequests();
  s.token = 'robot-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
  s.startSeq = s.seq;
  s.target = target || null;
  s.at = performance.now();
  s.busyBefore = new Set(busyIndicators());
  s.dialogsBefore = new Set(visibleDialogs());
  s.dialogsNoted = false;
  const win = target ? winOf(target) : window;
  if (win !== window) {
    const fs = trackRequests(win);
    s.frame = { win, state: fs, startSeq: fs.seq };
  } else s.frame = null;
  return s.token;
}

// How long after a form was sent the robot waits for the page it loads, in ms: a form whose
// answer is a download (or 204) loads none.
const SUBMIT_GRACE_MS = 3000;

// A form sent since the action that is navigating the page: not taken over by the page's
// script, not into a dialog or another window, and still within the grace.
function formNavigating(s) {
  const sub = s.submitted;
  if (!sub || sub.at < s.at || sub.event.defaultPrevented || performance.now() - sub.at > SUBMIT_GRACE_MS) return false;
  const form = sub.event.target, submitter = sub.event.submitter;
  const method = ((submitter && submitter.getAttribute('formmethod')) || (form && form.method) || '').toLowerCase();
  const target = (submitter && submitter.getAttribute('formtarget')) || (form && form.getAttribute('target')) || '';
  return method !== 'dialog' && ['', '_self'].includes(target.toLowerCase());
}

// Why the page still looks busy after the action, or null.
function busyReason(s, grace) {
  if (formNavigating(s)) return 'a form was sent; waiting for the page it loads';
  const t = s.target;
  if (t && t.isConnected && performance.now() - s.at < grace &&
      (t.disabled === true || t.getAttribute('aria-disabled') === 'true' || t.getAttribute('aria-busy') === 'true')) {
    return 'the element acted on is disabled or busy';
  }
  const e = busyIndicators(s.busyBefore)[0];
  return e ? 'a busy indicator is showing (' + (e.getAttribute('aria-label') || e.id || e.tagName.toLowerCase()) + ')' : null;
}

// Waits inside the page, up to `waitMs`, until the page is quiet after the action that answered
// `token`: looks after each change (see nextChange) and answers the last look.
async function settle(token, grace, waitMs) {
  const until = performance.now() + (waitMs || 0);
  for (;;) {
    const s = await settleLook(token, grace);
    if (s.navigated || (s.ready && s.pending === 0 && !s.busy) || performance.now() >= until) return s;
    await nextChange(until);
  }
}

// One look after the action that answered `token` (first yielding an animation frame and a
// task, so handlers it triggered start their requests): {navigated, ready, pending, busy}.
// `navigated`: this is not the document the action happened in.
function settleLook(token, grace) {
  return new Promise((done) => {
    const finish = () => {
      const s = window.__postnlRobotRequests;
      const ready = document.readyState === 'complete';
      if (!s || s.token !== token) return done({ navigated: true, ready, pending: 0, busy: null });
      // The click happened (or was stopped): no more guarding. A stopped click shows in the
      // trace's console log.
      if (s.unguard) s.unguard();
      if (s.missed) { console.warn('[postnl-robot] click held back: it would have landed on ' + s.missed); s.missed = null; }
      // Dialogs that showed up right with the action are the flow's own (see obstacles.js).
      if (!s.dialogsNoted) { s.dialogsNoted = true; ownDialogs(s.dialogsBefore || new Set()); }
      let pending = 0;
      for (const id of s.pending.keys()) if (id > s.startSeq) pending++;
      // The frame acted in: gone (a dialog closed) or navigated, its work is over; else count
      // its requests too.
      let frameReady = true;
      const f = s.frame;
      if (f) {
        let fs = null;
        try { fs = f.win.frameElement && f.win.frameElement.isConnected ? f.win.__postnlRobotRequests : null; } catch (e) { fs = null; }
        if (fs === f.state) {
          for (const id of fs.pending.keys()) if (id > f.startSeq) pending++;
        } else if (fs) {
          try { frameReady = f.win.document.readyState === 'complete'; } catch (e) { frameReady = true; }
        }
      }
      done({ navigated: false, ready: ready && frameReady, pending, busy: busyReason(s, grace) });
    };
    let fired = false;
    const go = () => { if (!fired) { fired = true; setTimeout(finish, 0); } };
    requestAnimationFrame(go);
    setTimeout(go, 50);
  });
}

// What the page shows now: {quiet, url, width, height, viewWidth, viewHeight} (quiet: loaded,
// no busy indicator visible; the content's and the viewport's size in CSS pixels, for a
// screenshot of the whole page).
function lookNow() {
  const de = document.documentElement;
  return {
    quiet: document.readyState === 'complete' && busyIndicators().length === 0,
    url: location.href,
    width: Math.max(de.scrollWidth, document.body ? document.body.scrollWidth : 0),
    height: Math.max(de.scrollHeight, document.body ? document.body.scrollHeight : 0),
    viewWidth: de.clientWidth, viewHeight: de.clientHeight,
  };
}

// Waits inside the page, up to `waitMs`, until the document has loaded and no busy indicator
// is visible; answers the last look (see lookNow).
async function idle(waitMs) {
  const until = performance.now() + (waitMs || 0);
  for (;;) {
    const look = lookNow();
    if (look.quiet || performance.now() >= until) return look;
    await nextChange(until);
  }
}

// Before deciding on what is visible: waits until the page is idle (up to `idleMs`), then until
// one of `queries` finds a visible element (up to `waitMs` in all). Answers the last look with
// `visible`, one boolean per query.
async function show(idleMs, waitMs, queries) {
  const until = performance.now() + (waitMs || 0);
  const look = await idle(idleMs || 0);
  for (;;) {
    const visible = queries.map((q) => anyVisible(q));
    if (visible.some(Boolean) || performance.now() >= until) return Object.assign(look, { visible });
    await nextChange(until);
  }
}

// The data requests (fetch/XHR) of this document that answered 5xx, as [path, status]: from
// Resource Timing, and those the tracking saw.
function failedRequests() {
  const s = window.__postnlRobotRequests;
  return performance.getEntriesByType('resource')
    .filter((e) => ['fetch', 'xmlhttprequest'].includes(e.initiatorType) && e.responseStatus >= 500)
    .map((e) => [new URL(e.name).pathname, e.responseStatus])
    .concat((s && s.failed) || []);
}
