#!/usr/bin/env bash
# Every check and test Sextant has, runnable on a fresh machine: installs what the tests need
# (promtool and amtool from Debian's packages, Python's jsonschema for Grafana's schema check)
# when it is missing, then checks formatting, lints, generated/ freshness, and runs all tests.
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n== %s\n' "$*"; }

section "tools the tests need"
packages=()
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
command -v amtool >/dev/null 2>&1 || packages+=(prometheus-alertmanager)
if [ ${#packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "installing ${packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
if ! python3 -c 'import jsonschema, referencing' >/dev/null 2>&1; then
  echo "installing Python's jsonschema"
  python3 -m pip install -q jsonschema referencing
fi
# rustfmt checks the formatting and the modules `sextant import` writes; clippy lints. A minimal
# rustup profile lacks both.
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  echo "installing rustfmt and clippy"
  rustup component add rustfmt clippy
fi
promtool --version 2>&1 | head -1
amtool --version 2>&1 | head -1

section "formatting"
cargo fmt --all -- --check

section "clippy"
cargo clippy --workspace --all-targets -q -- -D warnings
# The runtime's optional framework handlers (feature `axum`).
cargo clippy -p eje-runtime --all-features --all-targets -q -- -D warnings

section "generated/ is what the spec produces"
cargo run -q -- check

section "tests"
# In CI insta fails on a stale or missing snapshot instead of writing a new one.
CI=true INSTA_UPDATE=no cargo test --workspace
cargo test -p eje-runtime --all-features --test handlers
