#!/usr/bin/env bash
# The test suite: unit, HTTP-level replica tests and end-to-end tests in real headless Chromium.
# Installs Chromium + chromedriver when missing.
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-browser.sh
. scripts/ensure-rust.sh
exec cargo test --locked "$@"
