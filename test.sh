#!/usr/bin/env bash
# The test suite: unit, HTTP-level replica tests and end-to-end tests in real headless Chromium.
# Installs Chromium + chromedriver when missing.
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-browser.sh
command -v cargo >/dev/null || { echo "Rust is needed: https://rustup.rs (curl … | sh), then run ./test.sh again" >&2; exit 2; }
exec cargo test --locked "$@"
