// ---------------------------------------------------------------- api
// What the robot calls by name (`Browser::call` / `call_async` in script.rs). Functions
// answering a Promise are called asynchronously.
trackRequests();
traceLog();
window.__postnlRobot = Object.freeze({
  version: __postnlRobotVersion,
  locate,
  settle,
  idle,
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
