#!/usr/bin/env bash
# The test suite: unit, HTTP-level replica tests and end-to-end tests in real headless Chromium,
# Firefox ESR and a local Selenium Grid. Installs what is missing: Chromium + chromedriver, and
# for the Grid and Firefox tests Java, Firefox ESR, geckodriver and the Selenium server jar.
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-browser.sh
. scripts/ensure-rust.sh
scripts/ensure-grid.sh
exec cargo test --locked "$@"
