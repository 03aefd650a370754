#!/usr/bin/env bash
# Makes sure a Rust toolchain (cargo) is available: installs it with rustup when missing.
# Source this file (it may extend PATH with ~/.cargo/bin).
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "Installing the Rust toolchain (rustup, stable)…" >&2
  if ! command -v curl >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq curl ca-certificates >/dev/null
  fi
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal >&2 \
    || { echo "Could not install Rust; see https://rustup.rs" >&2; exit 2; }
  export PATH="$HOME/.cargo/bin:$PATH"
fi
