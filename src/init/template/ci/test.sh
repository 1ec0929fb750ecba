#!/usr/bin/env bash
# Every check of @service@'s monitoring: installs promtool and amtool (Debian's `prometheus` and
# `prometheus-alertmanager` packages) when missing, then checks that generated/ is what the spec
# produces and runs the tests, which run the real tools on it.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
command -v amtool >/dev/null 2>&1 || packages+=(prometheus-alertmanager)
if [ ${#packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

cargo run -q -- check
cargo test
