#!/usr/bin/env bash
# Installs everything chorus needs to build, test and run on Debian 12
# (bookworm), as root or through sudo: the Debian packages, then the npm
# packages of the HTML report (web/package-lock.json, `npm ci`: esbuild
# bundles sigma.js, graphology and uPlot at build time; playwright-core
# drives Debian's chromium in the browser test). Idempotent: when
# everything is installed it prints nothing and changes nothing.
set -euo pipefail

packages=(
    build-essential pkg-config make gcc clang libclang-rt-14-dev
    zlib1g-dev libzstd-dev libarchive-dev libjson-c-dev libsqlite3-dev
    libutf8proc-dev libigraph-dev libxxhash-dev
    sqlite3 python3 zstd gzip zip time
    openmpi-bin libopenmpi-dev
)
# Programs whose Debian package is installed only when the program is
# missing (a Node.js from elsewhere brings its own npm, which conflicts
# with Debian's npm package).
programs=(node:nodejs npm:npm chromium:chromium)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
for p in "${programs[@]}"; do
    command -v "${p%%:*}" >/dev/null || missing+=("${p#*:}")
done
root=$(cd "$(dirname "$0")/.." && pwd)
web_ready() { # node_modules matches the committed lock file
    [ -f "$root/web/node_modules/.package-lock.json" ] &&
        [ "$root/web/node_modules/.package-lock.json" -nt "$root/web/package-lock.json" ]
}
npm_ci() {
    (cd "$root/web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) &&
        touch "$root/web/node_modules/.package-lock.json"
}
if [ ${#missing[@]} -eq 0 ]; then
    web_ready || npm_ci
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: run as root (or install sudo)" >&2; exit 1; }
    sudo="sudo"
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
web_ready || npm_ci
