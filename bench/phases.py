#!/usr/bin/env python3
"""Where the time goes: the same A/B set-up as run.py, but split into phases.

Per tool and iteration (fresh replica each time, alternating order):
  start     process start -> browser ready for the first action
            (robot: binary start, flow parse, chromedriver spawn + /status, InitSession;
             playwright: node start, importing playwright-core, launch + newContext + newPage)
  stap 1-5  each step of the guide, its screenshot included
  teardown  end of Stap 5 -> process exit
            (robot: DELETE session, stopping chromedriver, removing the profile, writing the
             reports; playwright: context.close + browser.close + node exit)

The robot runs with RUST_LOG=postnl_robot=debug (one log line per action, for the step starts)
and its report.json (step durations); Playwright with --timings. Also prints the robot's
per-action medians, the slowest first. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (same folder)

PHASES = ["start", "stap1", "stap2", "stap3", "stap4", "stap5", "teardown", "  close", "  exit"]
LOG_LINE = re.compile(r"^(\S+Z)\s+\w+\s+step\{index=(\d+)")
FINISHED = re.compile(r"^(\S+Z)\s+INFO\s+postnl_robot::app: run finished")
PW_PHASES = {
    "stap1": "stap1_login",
    "stap2": "stap2_mijn_account",
    "stap3": "stap3_autorisaties",
    "stap4": "stap4_autoriseren",
    "stap5": "stap5_rapport",
}


def utc(ts: str) -> float:
    """Seconds since the epoch of an RFC 3339 UTC timestamp with up to nanoseconds."""
    main, _, frac = ts.rstrip("Z").partition(".")
    base = dt.datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc).timestamp()
    return base + float("0." + (frac or "0"))


def robot_phases(out: Path, t_start: float, t_end: float) -> tuple[dict[str, float], dict[str, float]]:
    report = json.loads((out / "report.json").read_text())
    starts: dict[int, float] = {}
    finished = t_end
    for line in (out / "run.log").read_text().splitlines():
        m = LOG_LINE.match(line)
        if m:
            starts.setdefault(int(m.group(2)), utc(m.group(1)))
        m = FINISHED.match(line)
        if m:
            finished = utc(m.group(1))
    steps = {s["index"]: s for s in report["steps"]}
    ph = {"start": starts[1] - t_start}
    for i in range(1, 6):
        ph[f"stap{i}"] = steps[i]["duration_ms"] / 1000
    step5_end = starts[5] + steps[5]["duration_ms"] / 1000
    ph["teardown"] = t_end - step5_end
    # close: DELETE session, stop chromedriver, remove the profile; exit: reports, process exit.
    ph["  close"] = finished - step5_end
    ph["  exit"] = t_end - finished
    actions: dict[str, float] = {}
    for s in report["steps"]:
        for a in s["actions"]:
            key = f"stap {s['index']}: {a['description'][:60]}"
            n = 1
            while f"{key} #{n}" in actions:
                n += 1
            actions[f"{key} #{n}"] = a["duration_ms"] / 1000
    return ph, actions


def playwright_phases(log: Path, wall: float) -> dict[str, float]:
    line = next(ln for ln in log.read_text().splitlines() if ln.startswith('{"tool":"playwright"'))
    p = json.loads(line)["phases_ms"]
    ph = {"start": (p["node_start"] + p["launch"]) / 1000}
    for k, v in PW_PHASES.items():
        ph[k] = p[v] / 1000
    ph["teardown"] = wall - sum(ph.values())
    ph["  close"] = p["close"] / 1000
    ph["  exit"] = ph["teardown"] - ph["  close"]
    return ph


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--robot", type=Path, default=bench.REPO / "target" / "release" / "postnl-robot")
    ap.add_argument("--node", default=shutil.which("node") or "node")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.baseline = None  # `run.py`'s options this script does not offer
    env = dict(os.environ, POSTNL_EMAIL=bench.DEMO_EMAIL, POSTNL_PASSWORD=bench.DEMO_PASSWORD)
    robot_env = dict(env, RUST_LOG="postnl_robot=debug")
    work = Path(tempfile.mkdtemp(prefix="postnl-phases-"))
    rows: dict[str, list[dict[str, float]]] = {"robot": [], "playwright": []}
    actions: dict[str, list[float]] = {}
    try:
        for i in range(args.runs):
            it = work / f"{i:03d}"
            it.mkdir()
            replica, url = bench.start_replica(args.robot, it)
            try:
                cmds = bench.commands(args, url, it)
                cmds["playwright"].append("--timings")
                for tool in (["robot", "playwright"] if i % 2 == 0 else ["playwright", "robot"]):
                    log = it / f"{tool}.log"
                    t0 = time.time()
                    secs, rc, _, _ = bench.timed(cmds[tool], robot_env if tool == "robot" else env, bench.REPO,
                                              log, args.timeout, keep={replica.pid})
                    if rc != 0:
                        print(f"{tool} exited {rc}:\n{bench.tail(log)}", file=sys.stderr)
                        return 1
                    if tool == "robot":
                        ph, acts = robot_phases(it / "robot", t0, t0 + secs)
                        for k, v in acts.items():
                            actions.setdefault(k, []).append(v)
                    else:
                        ph = playwright_phases(log, secs)
                    ph["total"] = secs
                    rows[tool].append(ph)
            finally:
                bench.stop(replica)
            print(f"iteration {i + 1}/{args.runs}: robot {rows['robot'][-1]['total']:.2f} s, "
                  f"playwright {rows['playwright'][-1]['total']:.2f} s", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\nmedian seconds over {args.runs} iterations")
    print(f"{'phase':<10}{'robot':>9}{'playwright':>12}{'diff':>9}")
    for p in PHASES + ["total"]:
        r = statistics.median(x[p] for x in rows["robot"])
        w = statistics.median(x[p] for x in rows["playwright"])
        print(f"{p:<10}{r:>9.3f}{w:>12.3f}{r - w:>+9.3f}")
    print("\nrobot actions, median seconds (slowest first)")
    for name, xs in sorted(actions.items(), key=lambda kv: -statistics.median(kv[1]))[:15]:
        print(f"{statistics.median(xs):7.3f}  (in {len(xs)}/{args.runs} runs)  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
