#!/usr/bin/env bash
# Proves the published shape works: pack the package, install the tarball into an empty folder the
# way `npx aws-groundwork` would, and run --version and --help from there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball=$(npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)
echo "pack-smoke: packed $tarball"

cd "$work"
npm init -y >/dev/null 2>&1
npm install --no-audit --no-fund --prefer-offline --loglevel=error "./$tarball" >/dev/null 2>&1
want=$(node -p "require('$root/package.json').version")
got=$(npx --no-install aws-groundwork --version)
[ "$got" = "$want" ] || { echo "pack-smoke: --version printed '$got', expected '$want'" >&2; exit 1; }
npx --no-install aws-groundwork --help | grep -q '^Usage' || { echo 'pack-smoke: --help has no Usage' >&2; exit 1; }
# The installed package carries its templates: the answers template renders from the tarball alone.
npx --no-install aws-groundwork answers | grep -q '^version: 1' || { echo 'pack-smoke: answers template missing' >&2; exit 1; }
echo "pack-smoke: npx aws-groundwork --version ($got), --help and answers work from the packed tarball"
