// The page script of postnl-robot, assembled at compile time from the files in this folder
// (prelude, text, aria, visible, obstacles, locate, select, settle, popups, forms, page, fingerprint, inspect, trace, api —
// in that order, see `script.rs`). It runs once per document: it defines the global
// `window.__postnlRobot`, whose functions the robot then calls by name (one small script call
// each). The installing call declares `__postnlRobotVersion` before this text.
(() => {
'use strict';
if (window.__postnlRobot && window.__postnlRobot.version === __postnlRobotVersion) return;
window.__postnlRobotInstalls = (window.__postnlRobotInstalls || 0) + 1;

