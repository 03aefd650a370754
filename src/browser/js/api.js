// ---------------------------------------------------------------- api
// What the robot calls by name (`Browser::call` / `call_async` in script.rs). Functions
// answering a Promise are called asynchronously.
trackRequests();
traceLog();
window.__postnlRobot = Object.freeze({
  version: __postnlRobotVersion,
  // This document's identity: a call answering from another one tells the robot it navigated.
  doc: Math.random().toString(36).slice(2) + Date.now().toString(36),
  locate,
  settle,
  idle,
  show,
  failedRequests,
  markPopups,
  closedPopups,
  clearPopups,
  selectOption,
  focusSelect,
  readyState,
  pageStatus,
  messages,
  fingerprint,
  candidates,
  inspect,
  traceRead,
});
})();
