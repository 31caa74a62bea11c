#!/usr/bin/env bash
# Idempotent set-up: installs only what is missing, so it is fast when everything is there.
# Debian packages: chromium-headless-shell (the fleet's browsers), chromium (the full browser, for
# --chromium /usr/bin/chromium and the tests that render pages with it), ffmpeg (fake media), influxdb 1.x and
# victoria-metrics (real metric stores for the sink and dashboard tests), janus (the reference
# Waddle's SFU mode) and gcc (its loopback shim for Janus, reference-waddle/sfu/). Then npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/lib/chromium/chromium-headless-shell ] || need+=(chromium-headless-shell)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v influxd >/dev/null 2>&1 || need+=(influxdb)
command -v victoria-metrics >/dev/null 2>&1 || need+=(victoria-metrics)
command -v janus >/dev/null 2>&1 || need+=(janus)
command -v cc >/dev/null 2>&1 || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${need[*]}. Run as root, or: sudo apt-get install -y ${need[*]}" >&2
    exit 2
  fi
  echo "setup: installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The Debian influxdb package may start a system service; our tests start their own servers.
  (command -v service >/dev/null && service influxdb stop >/dev/null 2>&1) || true
  # Likewise janus: the reference Waddle starts its own, loopback-only, from a temp config.
  (command -v service >/dev/null && service janus stop >/dev/null 2>&1) || true
fi

# npm ci only when node_modules is missing or older than the lock file — and never through a
# symlink: a node_modules linked from another checkout (a git worktree) belongs to that checkout,
# and npm ci would delete it for everyone using it.
if [ -L node_modules ]; then
  if [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: node_modules links to $(readlink node_modules); not reinstalling it from here" >&2
  fi
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
