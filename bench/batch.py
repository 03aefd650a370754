#!/usr/bin/env python3
"""Batch throughput: a batch of N rows against the replica with --parallel 1, 2, 4, compared
with separate `run` invocations. See README.md ("Batch throughput").

    cargo build --release
    python3 bench/batch.py                 # 200 rows; 20 separate runs, extrapolated to 200

Needs python3 (standard library only), /usr/bin/chromium and /usr/bin/chromedriver.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FLOW = os.path.join(ROOT, "flows", "autoriseren-ecommerce-inzichten.toml")
KLANTNUMMER = "9401138"
ENV = dict(os.environ, POSTNL_EMAIL="gatuser@postnl.example", POSTNL_PASSWORD="Demo-Wachtwoord-2026")
ENV.pop("POSTNL_NEW_PASSWORD", None)


def tester(i):
    return f"Tester {i:04d}, Demo (PostNL)"


class Replica:
    """`postnl-robot portal --port 0 --seed-users N`, stopped on exit."""

    def __init__(self, robot, users):
        self.proc = subprocess.Popen(
            [robot, "portal", "--port", "0", "--seed-users", str(users)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://[0-9.:]+", line)
        if not m:
            raise SystemExit(f"the replica did not start: {line!r}")
        self.url = m.group(0)

    def state(self):
        import urllib.request
        with urllib.request.urlopen(self.url + "/__state") as r:
            return json.load(r)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait()


def batch(robot, rows, parallel, work):
    csv = os.path.join(work, "lijst.csv")
    with open(csv, "w") as f:
        f.write("klantnummer;gebruiker\n")
        for i in range(1, rows + 1):
            f.write(f"{KLANTNUMMER};{tester(i)}\n")
    out = os.path.join(work, f"batch-p{parallel}")
    with Replica(robot, rows) as replica:
        t0 = time.monotonic()
        p = subprocess.run([robot, "run", FLOW, "--batch", csv, "--parallel", str(parallel),
                            "--base-url", replica.url, "--out", out, "--quiet"],
                           env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.monotonic() - t0
        saves = sum(1 for e in replica.state()["audit"] if "save" in e)
    report = json.load(open(os.path.join(out, "report.json")))
    passed = [r for r in report["rows"] if r["status"] == "passed"]
    if p.returncode != 0 or len(passed) != rows or saves != rows:
        raise SystemExit(f"--parallel {parallel}: exit {p.returncode}, {len(passed)}/{rows} passed, "
                         f"{saves} saves\n{p.stderr[-2000:]}")
    row_ms = [r["duration_ms"] for r in passed]
    return {"label": f"batch --parallel {parallel}", "rows": rows, "wall_s": wall,
            "per_min": rows / wall * 60, "row_median_s": statistics.median(row_ms) / 1000}


def singles(robot, n, work):
    walls = []
    with Replica(robot, n) as replica:
        t0 = time.monotonic()
        for i in range(1, n + 1):
            t = time.monotonic()
            p = subprocess.run([robot, "run", FLOW, "--base-url", replica.url, "--quiet",
                                "--out", os.path.join(work, f"single-{i}"),
                                "-p", f"klantnummer={KLANTNUMMER}", "-p", f"gebruiker={tester(i)}"],
                               env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            walls.append(time.monotonic() - t)
            if p.returncode != 0:
                raise SystemExit(f"separate run {i}: exit {p.returncode}\n{p.stderr[-2000:]}")
        wall = time.monotonic() - t0
    return {"label": f"{n} separate `run`s", "rows": n, "wall_s": wall,
            "per_min": n / wall * 60, "row_median_s": statistics.median(walls)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--robot", default=os.path.join(ROOT, "target", "release", "postnl-robot"))
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--parallel", default="1,2,4")
    ap.add_argument("--singles", type=int, default=20, help="separate runs measured (extrapolated to --rows); 0: none")
    ap.add_argument("--keep", action="store_true", help="keep the batch folders")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="postnl-bench-batch-")
    results = []
    try:
        for n in [int(x) for x in a.parallel.split(",")]:
            r = batch(a.robot, a.rows, n, work)
            print(f"{r['label']}: {r['wall_s']:.1f} s, {r['per_min']:.1f}/min, row median {r['row_median_s']:.2f} s",
                  flush=True)
            results.append(r)
        if a.singles > 0:
            s = singles(a.robot, a.singles, work)
            print(f"{s['label']}: {s['wall_s']:.1f} s, {s['per_min']:.1f}/min, median {s['row_median_s']:.2f} s",
                  flush=True)
            results.append(s)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    if a.singles <= 0:
        return 0
    best = max(r["per_min"] for r in results[:-1])
    print()
    print(f"| Setting | Rows | Wall time | Authorisations / min | Per-row median |")
    print(f"|---|---:|---:|---:|---:|")
    for r in results[:-1]:
        print(f"| {r['label']} | {r['rows']} | {r['wall_s']:.1f} s | {r['per_min']:.1f} | {r['row_median_s']:.2f} s |")
    s = results[-1]
    est = s["wall_s"] / s["rows"] * a.rows
    print(f"| {a.rows} separate `run`s (estimated: {s['rows']} measured × {a.rows // s['rows']}) | {a.rows} | "
          f"{est:.1f} s | {s['per_min']:.1f} | {s['row_median_s']:.2f} s |")
    print()
    print(f"Best batch setting: {best / s['per_min']:.1f}× the throughput of separate runs.")


if __name__ == "__main__":
    sys.exit(main())
