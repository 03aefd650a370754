#!/usr/bin/env bash
# Benchmark postnl-robot against Playwright on the same flow: see README.md.
#   cd bench && npm install && ./run.sh --runs 10
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$here/run.py" "$@"
