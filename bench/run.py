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

`--latency-ms N` and `--variant NAME` set the replica (`portal --latency-ms`, `--variant`);
the Playwright script runs on the renditions `classic` and `alt`.
`--baseline PATH` measures a second robot binary (e.g. an older build) in the same iterations,
so before/after ratios come from the same session; the order of the tools rotates through all
permutations. Each command runs under `/usr/bin/time` (when present) for its peak RSS (the
largest of the command's process and the children it waited for). After the timed iterations,
one extra run per robot with debug logging counts its WebDriver round trips
(`closing the browser session round_trips=N`) and divides by the actions in its report.json.
"""

from __future__ import annotations

import argparse
import ctypes
import itertools
import re
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
    p.add_argument("--latency-ms", type=int, default=0, help="replica latency per response (default 0)")
    p.add_argument("--variant", default="classic", help="replica rendition (default classic; alt, …)")
    p.add_argument("--baseline", type=Path, help="a second robot binary, measured in the same iterations")
    p.add_argument("--no-playwright", action="store_true",
                   help="robots only (a rendition the Playwright script does not know; it knows classic "
                        "and alt): ratios over the baseline")
    args = p.parse_args()
    args.robot = args.robot.resolve()
    if args.baseline:
        args.baseline = args.baseline.resolve()
    return args


def start_replica(robot: Path, log_dir: Path, latency_ms: int = 0,
                  variant: str = "classic") -> tuple[subprocess.Popen, str]:
    """A fresh replica on a free port; returns the process and its base URL."""
    log = open(log_dir / "replica.stderr", "wb")
    cmd = [str(robot), "portal", "--port", "0", "--latency-ms", str(latency_ms), "--variant", variant]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
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


def robot_command(robot: Path, url: str, out: Path) -> list[str]:
    return [str(robot), "run", str(FLOW), "--base-url", url,
            "-p", f"klantnummer={KLANTNUMMER}", "-p", f"gebruiker={GEBRUIKER}",
            "--out", str(out), "--quiet"]


def commands(args: argparse.Namespace, url: str, out: Path) -> dict[str, list[str]]:
    cmds = {
        "robot": robot_command(args.robot, url, out / "robot"),
        "playwright": [args.node, str(BENCH / "playwright-flow.mjs"), "--base-url", url,
                       "--klantnummer", KLANTNUMMER, "--gebruiker", GEBRUIKER,
                       "--out", str(out / "playwright")],
    }
    if args.baseline:
        cmds["baseline"] = robot_command(args.baseline, url, out / "baseline")
    return cmds


def round_trips(robot: Path, args: argparse.Namespace, env: dict[str, str], work: Path) -> dict:
    """One extra run with debug logging: WebDriver round trips of the run, per action."""
    d = work / f"trips-{robot.name}-{os.getpid()}-{time.monotonic_ns()}"
    d.mkdir()
    replica, url = start_replica(args.robot, d, args.latency_ms, args.variant)
    try:
        out = subprocess.run(robot_command(robot, url, d / "out"), capture_output=True, text=True,
                             env=dict(env, RUST_LOG="postnl_robot::browser::client=debug"),
                             cwd=REPO, timeout=args.timeout)
    finally:
        stop(replica)
    m = re.findall(r"round_trips=(\d+)", out.stderr)
    try:
        report = json.loads((d / "out" / "report.json").read_text())
        actions = sum(len(s.get("actions", [])) for s in report["steps"])
    except (OSError, ValueError, KeyError):
        actions = 0
    trips = int(m[-1]) if m else None
    return {"exit_code": out.returncode, "round_trips": trips, "actions": actions,
            "per_action": trips / actions if trips and actions else None}


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
          keep: set[int] | None = None) -> tuple[float, int, float, int | None]:
    """Wall-clock seconds from process start to exit, the exit code, the CPU seconds
    (user + system) of the command and every descendant (reaped after the exit, not timed), and
    the peak RSS in kB from /usr/bin/time (None without it)."""
    keep = keep or set()
    rss_file = log.with_suffix(".rss")
    cmd_run = (["/usr/bin/time", "-f", "%M", "-o", str(rss_file)] + cmd) if Path("/usr/bin/time").exists() else cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, "wb") as f:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd_run, env=env, cwd=cwd, stdout=f, stderr=subprocess.STDOUT,
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
    try:
        rss = int(rss_file.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        rss = None
    return wall, rc, cpu, rss


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
    if args.no_playwright and not args.baseline:
        print("--no-playwright needs --baseline", file=sys.stderr)
        return 2
    if not args.no_playwright and not (BENCH / "node_modules" / "playwright-core").exists():
        print("playwright-core is missing: run `npm install` in bench/ first", file=sys.stderr)
        return 2
    env = dict(os.environ, POSTNL_EMAIL=DEMO_EMAIL, POSTNL_PASSWORD=DEMO_PASSWORD)
    env.pop("RUST_LOG", None)  # the robot's default logging, as a user runs it
    work = Path(tempfile.mkdtemp(prefix="postnl-bench-"))
    subreaper = become_subreaper()
    tools = ["robot"] + ([] if args.no_playwright else ["playwright"]) + (["baseline"] if args.baseline else [])
    ref = "baseline" if args.no_playwright else "playwright"
    orders = list(itertools.permutations(tools))
    times: dict[str, list[float]] = {t: [] for t in tools}
    cpu: dict[str, list[float]] = {t: [] for t in tools}
    rss: dict[str, list[float]] = {t: [] for t in tools}
    iterations = []
    failures = 0
    total = args.warmup + args.runs
    try:
        for i in range(total):
            measured = i >= args.warmup
            label = f"run {i - args.warmup + 1}/{args.runs}" if measured else f"warm-up {i + 1}/{args.warmup}"
            it_dir = work / f"{i:03d}"
            it_dir.mkdir()
            order = list(orders[i % len(orders)])
            replica, url = start_replica(args.robot, it_dir, args.latency_ms, args.variant)
            row: dict = {"iteration": i, "measured": measured, "order": order, "base_url": url,
                         "loadavg_1min": os.getloadavg()[0]}
            try:
                cmds = {t: c for t, c in commands(args, url, it_dir).items() if t in tools}
                for tool in order:
                    secs, rc, cpu_s, rss_kb = timed(cmds[tool], env, REPO, it_dir / f"{tool}.log", args.timeout,
                                                    keep={replica.pid})
                    row[tool] = {"seconds": secs, "exit_code": rc, "cpu_seconds": cpu_s, "peak_rss_kb": rss_kb}
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
                    if row[t]["peak_rss_kb"]:
                        rss[t].append(row[t]["peak_rss_kb"] / 1024)
            iterations.append(row)
            secs = "   ".join(f"{t} {row[t]['seconds']:6.2f} s" for t in tools)
            cpus = " / ".join(f"{row[t]['cpu_seconds']:.2f}" for t in tools)
            print(f"{label:>14}  {order[0]:>10} first   {secs}   (cpu {cpus} s, "
                  f"load {row['loadavg_1min']:.1f}){'' if ok else '   FAILED'}", flush=True)
        trips = {"robot": round_trips(args.robot, args, env, work)}
        if args.baseline:
            trips["baseline"] = round_trips(args.baseline, args, env, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    if not times["robot"]:
        print("no successful measured iteration", file=sys.stderr)
        return 1
    stats = {t: summary(xs) for t, xs in times.items()}
    cpu_stats = {t: summary(xs) for t, xs in cpu.items()}
    rss_stats = {t: summary(xs) for t, xs in rss.items() if xs}
    good = [r for r in iterations if r["measured"] and all(r[t]["exit_code"] == 0 for t in tools)]

    def ratio(a: str) -> dict[str, float]:
        return {
            "median": stats[a]["median"] / stats[ref]["median"],
            "mean": stats[a]["mean"] / stats[ref]["mean"],
            "paired_median": statistics.median(r[a]["seconds"] / r[ref]["seconds"] for r in good),
        }
    ratios = ratio("robot")

    print()
    print(f"{'tool':<12}{'n':>4}{'mean':>9}{'median':>9}{'min':>9}{'max':>9}{'stddev':>9}   (seconds)")
    for t in tools:
        s = stats[t]
        print(f"{t:<12}{s['n']:>4}{s['mean']:>9.3f}{s['median']:>9.3f}{s['min']:>9.3f}{s['max']:>9.3f}{s['stddev']:>9.3f}")
    print()
    print(f"{'cpu':<12}{'n':>4}{'mean':>9}{'median':>9}{'min':>9}{'max':>9}{'stddev':>9}   "
          f"(user+system seconds, browser included{'' if subreaper else '; NOT all descendants'})")
    for t in tools:
        s = cpu_stats[t]
        print(f"{t:<12}{s['n']:>4}{s['mean']:>9.3f}{s['median']:>9.3f}{s['min']:>9.3f}{s['max']:>9.3f}{s['stddev']:>9.3f}")
    print()
    print(f"robot/{ref}: median {ratios['median']:.3f}   mean {ratios['mean']:.3f}   "
          f"median of per-iteration ratios {ratios['paired_median']:.3f}   (same run)")
    if args.baseline and not args.no_playwright:
        b = ratio("baseline")
        print(f"baseline/playwright: median {b['median']:.3f}   mean {b['mean']:.3f}   "
              f"median of per-iteration ratios {b['paired_median']:.3f}")
    print(f"peak RSS (MB, median / max): " + "   ".join(
        f"{t} {s['median']:.1f} / {s['max']:.1f}" for t, s in rss_stats.items()))
    for t, v in trips.items():
        if v["per_action"]:
            print(f"{t}: {v['round_trips']} WebDriver round trips for {v['actions']} actions "
                  f"= {v['per_action']:.2f} per action")

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
        "replica": {"latency_ms": args.latency_ms, "variant": args.variant},
        "reference": ref,
        "ratio_robot_over_reference": ratios,
        "ratio_baseline_over_playwright": ratio("baseline") if args.baseline and not args.no_playwright else None,
        "summary_peak_rss_mb": rss_stats,
        "round_trips": trips,
        "loadavg_1min": [r["loadavg_1min"] for r in iterations if r["measured"]],
        "ratio_cpu_robot_over_reference": {
            "median": cpu_stats["robot"]["median"] / cpu_stats[ref]["median"],
            "mean": cpu_stats["robot"]["mean"] / cpu_stats[ref]["mean"],
        },
        "failures": failures,
        "iterations": iterations,
    }, indent=2) + "\n")
    print(f"results: {out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
