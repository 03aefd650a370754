#!/usr/bin/env bash
# Times `postnl-robot check` on generated flows of 1k, 10k, 100k and 200k steps and prints the
# time per step: a flat column means loading grows linearly with the file.
#
#   bench/flow-load.sh [path/to/postnl-robot]     (default: target/debug/postnl-robot)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/postnl-robot}
[ -x "$bin" ] || cargo build --quiet --bin postnl-robot
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf '%8s %10s %9s %12s\n' steps bytes seconds "µs/step"
for n in 1000 10000 100000 200000; do
    python3 bench/gen-flow.py "$n" > "$dir/flow.toml"
    bytes=$(wc -c < "$dir/flow.toml")
    start=$(date +%s.%N)
    "$bin" check "$dir/flow.toml" > /dev/null
    end=$(date +%s.%N)
    python3 -c "import sys; n,b,s,e=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3]),float(sys.argv[4]); print(f'{n:8d} {b:10d} {e-s:9.2f} {(e-s)/n*1e6:12.1f}')" "$n" "$bytes" "$start" "$end"
done
