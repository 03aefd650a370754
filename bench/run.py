#!/usr/bin/env python3
"""Benchmark: postnl-robot against Playwright on the same guide flow, same replica.

Each iteration starts a fresh replica (`postnl-robot portal --port 0`), then runs the robot
(`postnl-robot run flows/autoriseren-ecommerce-inzichten.toml`) and the Playwright baseline
(`node playwright-flow.mjs`) against it, one after the other; the order alternates per
iteration (A,B then B,A). Measured: the wall-clock of each whole command, from process start
to exit (browser launch and close included for both). Both must exit 0.

Prints mean, median, min, max and stddev per tool, and the ratio robot/playwright (of the
medians, of the means, and the median of the per-iteration ratios). Writes the raw numbers to
bench/results/<timestamp>.json. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
FLOW = REPO / "flows" / "autoriseren-ecommerce-inzichten.toml"
# The replica's demo admin (see README.md, "demo"); only ever sent to the local replica.
DEMO_EMAIL = "gatuser@postnl.example"
DEMO_PASSWORD = "Demo-Wachtwoord-2026"
KLANTNUMMER = "9401138"
GEBRUIKER = "GATUser, PostNL (PostNL)"
READY_PREFIX = "listening on "


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=10, help="measured iterations (default 10)")
    p.add_argument("--warmup", type=int, default=1, help="unmeasured iterations first (default 1)")
    p.add_argument("--robot", type=Path, default=REPO / "target" / "release" / "postnl-robot",
                   help="the robot binary (default: ../target/release/postnl-robot)")
    p.add_argument("--node", default=shutil.which("node") or "node", help="node binary")
    p.add_argument("--results", type=Path, default=BENCH / "results", help="where the JSON goes")
    p.add_argument("--keep", action="store_true", help="keep each run's output folder")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per command (default 300)")
    return p.parse_args()


def start_replica(robot: Path, log_dir: Path) -> tuple[subprocess.Popen, str]:
    """A fresh replica on a free port; returns the process and its base URL."""
    log = open(log_dir / "replica.stderr", "wb")
    proc = subprocess.Popen([str(robot), "portal", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=log, stdin=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if READY_PREFIX in line:
            url = line.strip().split(READY_PREFIX, 1)[1].strip()
            return proc, url
    stop(proc)
    raise RuntimeError("the replica did not print its URL (see replica.stderr)")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def commands(args: argparse.Namespace, url: str, out: Path) -> dict[str, list[str]]:
    return {
        "robot": [str(args.robot), "run", str(FLOW), "--base-url", url,
                  "-p", f"klantnummer={KLANTNUMMER}", "-p", f"gebruiker={GEBRUIKER}",
                  "--out", str(out / "robot"), "--quiet"],
        "playwright": [args.node, str(BENCH / "playwright-flow.mjs"), "--base-url", url,
                       "--klantnummer", KLANTNUMMER, "--gebruiker", GEBRUIKER,
                       "--out", str(out / "playwright")],
    }


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux PR_SET_CHILD_SUBREAPER), so that the CPU time of a
    browser whose parent was killed (the robot's chromedriver is killed with its process group)
    is still counted when we reap it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def children(keep: set[int]) -> list[int]:
    """Our child processes (from /proc), except `keep`."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in keep:
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == me:
            found.append(int(entry))
    return found


def reap_orphans(keep: set[int], limit: float = 10.0) -> None:
    """Waits (bounded) for adopted descendants to exit and reaps them."""
    deadline = time.monotonic() + limit
    while True:
        left = children(keep)
        for pid in left:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        if not children(keep) or time.monotonic() > deadline:
            return
        time.sleep(0.01)


def timed(cmd: list[str], env: dict[str, str], cwd: Path, log: Path, timeout: float,
          keep: set[int] | None = None) -> tuple[float, int, float]:
    """Wall-clock seconds from process start to exit, the exit code, and the CPU seconds
    (user + system) of the command and every descendant (reaped after the exit, not timed)."""
    keep = keep or set()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, "wb") as f:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=f, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            rc = -9
        wall = time.perf_counter() - start
    reap_orphans(keep)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, rc, cpu


def tail(path: Path, n: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def summary(xs: list[float]) -> dict[str, float]:
    return {
        "n": len(xs),
        "mean": statistics.fmean(xs),
        "median": statistics.median(xs),
        "min": min(xs),
        "max": max(xs),
        "stddev": statistics.stdev(xs) if len(xs) > 1 else 0.0,
    }


def version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def environment(args: argparse.Namespace) -> dict[str, str]:
    pw = BENCH / "node_modules" / "playwright-core" / "package.json"
    return {
        "machine": platform.machine(),
        "kernel": platform.release(),
        "cpus": str(os.cpu_count()),
        "chromium": version(["/usr/bin/chromium", "--version"]),
        "chromedriver": version(["/usr/bin/chromedriver", "--version"]),
        "node": version([args.node, "--version"]),
        "playwright-core": json.loads(pw.read_text())["version"] if pw.exists() else "?",
        "robot": version([str(args.robot), "--version"]),
        "commit": version(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
        # The last commit that touched what the robot runs (the bench commits do not).
        "robot_src_commit": version(["git", "-C", str(REPO), "log", "-1", "--format=%h", "--", "src", "flows",
                                     "Cargo.toml", "Cargo.lock"]),
    }


def main() -> int:
    args = parse_args()
    if not args.robot.exists():
        print(f"no robot binary at {args.robot}: run `cargo build --release` first", file=sys.stderr)
        return 2
    if not (BENCH / "node_modules" / "playwright-core").exists():
        print("playwright-core is missing: run `npm install` in bench/ first", file=sys.stderr)
        return 2
    env = dict(os.environ, POSTNL_EMAIL=DEMO_EMAIL, POSTNL_PASSWORD=DEMO_PASSWORD)
    env.pop("RUST_LOG", None)  # the robot's default logging, as a user runs it
    work = Path(tempfile.mkdtemp(prefix="postnl-bench-"))
    subreaper = become_subreaper()
    times: dict[str, list[float]] = {"robot": [], "playwright": []}
    cpu: dict[str, list[float]] = {"robot": [], "playwright": []}
    iterations = []
    failures = 0
    total = args.warmup + args.runs
    try:
        for i in range(total):
            measured = i >= args.warmup
            label = f"run {i - args.warmup + 1}/{args.runs}" if measured else f"warm-up {i + 1}/{args.warmup}"
            it_dir = work / f"{i:03d}"
            it_dir.mkdir()
            order = ["robot", "playwright"] if i % 2 == 0 else ["playwright", "robot"]
            replica, url = start_replica(args.robot, it_dir)
            row: dict = {"iteration": i, "measured": measured, "order": order, "base_url": url,
                         "loadavg_1min": os.getloadavg()[0]}
            try:
                cmds = commands(args, url, it_dir)
                for tool in order:
                    secs, rc, cpu_s = timed(cmds[tool], env, REPO, it_dir / f"{tool}.log", args.timeout,
                                            keep={replica.pid})
                    row[tool] = {"seconds": secs, "exit_code": rc, "cpu_seconds": cpu_s}
                    if rc != 0:
                        failures += 1
                        print(f"{label}: {tool} exited {rc}:\n{tail(it_dir / f'{tool}.log')}", file=sys.stderr)
            finally:
                stop(replica)
            ok = all(row[t]["exit_code"] == 0 for t in order)
            if measured and ok:
                for t in order:
                    times[t].append(row[t]["seconds"])
                    cpu[t].append(row[t]["cpu_seconds"])
            iterations.append(row)
            print(f"{label:>14}  {order[0]:>10} first   robot {row['robot']['seconds']:6.2f} s   "
                  f"playwright {row['playwright']['seconds']:6.2f} s   "
                  f"(cpu {row['robot']['cpu_seconds']:.2f} / {row['playwright']['cpu_seconds']:.2f} s, "
                  f"load {row['loadavg_1min']:.1f}){'' if ok else '   FAILED'}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    if not times["robot"]:
        print("no successful measured iteration", file=sys.stderr)
        return 1
    stats = {t: summary(xs) for t, xs in times.items()}
    cpu_stats = {t: summary(xs) for t, xs in cpu.items()}
    paired = [r["robot"]["seconds"] / r["playwright"]["seconds"] for r in iterations
              if r["measured"] and r["robot"]["exit_code"] == 0 and r["playwright"]["exit_code"] == 0]
    ratios = {
        "median": stats["robot"]["median"] / stats["playwright"]["median"],
        "mean": stats["robot"]["mean"] / stats["playwright"]["mean"],
        "paired_median": statistics.median(paired),
    }

    print()
    print(f"{'tool':<12}{'n':>4}{'mean':>9}{'median':>9}{'min':>9}{'max':>9}{'stddev':>9}   (seconds)")
    for t in ("robot", "playwright"):
        s = stats[t]
        print(f"{t:<12}{s['n']:>4}{s['mean']:>9.3f}{s['median']:>9.3f}{s['min']:>9.3f}{s['max']:>9.3f}{s['stddev']:>9.3f}")
    print()
    print(f"{'cpu':<12}{'n':>4}{'mean':>9}{'median':>9}{'min':>9}{'max':>9}{'stddev':>9}   "
          f"(user+system seconds, browser included{'' if subreaper else '; NOT all descendants'})")
    for t in ("robot", "playwright"):
        s = cpu_stats[t]
        print(f"{t:<12}{s['n']:>4}{s['mean']:>9.3f}{s['median']:>9.3f}{s['min']:>9.3f}{s['max']:>9.3f}{s['stddev']:>9.3f}")
    print()
    print(f"robot/playwright: median {ratios['median']:.3f}   mean {ratios['mean']:.3f}   "
          f"median of per-iteration ratios {ratios['paired_median']:.3f}   (baseline: playwright, same run)")

    args.results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.results / f"{stamp}.json"
    out.write_text(json.dumps({
        "timestamp": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "runs": args.runs,
        "warmup": args.warmup,
        "flow": str(FLOW.relative_to(REPO)),
        "environment": environment(args),
        "summary_seconds": stats,
        "summary_cpu_seconds": cpu_stats,
        "cpu_includes_all_descendants": subreaper,
        "ratio_robot_over_playwright": ratios,
        "ratio_cpu_robot_over_playwright": {
            "median": cpu_stats["robot"]["median"] / cpu_stats["playwright"]["median"],
            "mean": cpu_stats["robot"]["mean"] / cpu_stats["playwright"]["mean"],
        },
        "failures": failures,
        "iterations": iterations,
    }, indent=2) + "\n")
    print(f"results: {out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
