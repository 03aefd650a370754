#!/usr/bin/env bash
# Installs Chromium and chromedriver from the distribution's packages when they are missing.
# With the argument `firefox`: Firefox ESR (apt-get) and geckodriver (`cargo install --locked
# geckodriver`, which takes minutes) instead, each only when missing.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

if [ "${1:-}" = "firefox" ]; then
  if ! command -v firefox >/dev/null && ! command -v firefox-esr >/dev/null; then
    echo "Installing Firefox ESR (apt-get)…" >&2
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq firefox-esr >/dev/null
  fi
  if ! command -v geckodriver >/dev/null && [ ! -x "$HOME/.cargo/bin/geckodriver" ]; then
    echo "Installing geckodriver (cargo install --locked geckodriver; takes a few minutes)…" >&2
    cargo install --locked --quiet geckodriver
  fi
  exit 0
fi

have_browser() { command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; }
if command -v chromedriver >/dev/null && have_browser; then
  exit 0
fi
echo "Installing Chromium and chromedriver (apt-get)…" >&2
$SUDO apt-get update -qq
# Debian names them chromium + chromium-driver; Ubuntu chromium-browser + chromium-chromedriver.
$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null \
  || $SUDO apt-get install -y -qq chromium-browser chromium-chromedriver >/dev/null
command -v chromedriver >/dev/null && have_browser
