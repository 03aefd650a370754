#!/usr/bin/env bash
# Installs Chromium and chromedriver from the distribution's packages when they are missing.
set -euo pipefail
have_browser() { command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; }
if command -v chromedriver >/dev/null && have_browser; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "Installing Chromium and chromedriver (apt-get)…" >&2
$SUDO apt-get update -qq
# Debian names them chromium + chromium-driver; Ubuntu chromium-browser + chromium-chromedriver.
$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null \
  || $SUDO apt-get install -y -qq chromium-browser chromium-chromedriver >/dev/null
command -v chromedriver >/dev/null && have_browser
