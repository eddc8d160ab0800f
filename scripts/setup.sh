#!/usr/bin/env bash
# Installs everything chorus needs to build, test and run on Debian 12
# (bookworm), as root or through sudo. Idempotent: when every package is
# already installed it prints nothing and changes nothing.
set -euo pipefail

packages=(
    build-essential pkg-config make gcc clang libclang-rt-14-dev
    zlib1g-dev libzstd-dev libarchive-dev libjson-c-dev libsqlite3-dev
    libutf8proc-dev libigraph-dev libxxhash-dev
    sqlite3 python3 zstd gzip zip time
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: run as root (or install sudo)" >&2; exit 1; }
    sudo="sudo"
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
