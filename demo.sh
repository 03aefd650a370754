#!/usr/bin/env bash
# The demo: the shipped flow against the embedded replica of Mijn PostNL, in headless Chromium.
# Installs Chromium + chromedriver when missing, builds, runs. Extra arguments go to `demo`
# (e.g. --headed, --out DIR).
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-browser.sh
. scripts/ensure-rust.sh
case " $* " in *" --browser firefox "*|*" --browser=firefox "*) scripts/ensure-browser.sh firefox ;; esac
exec cargo run --quiet --locked -- demo "$@"
