#!/usr/bin/env bash
# Installs the storage emulators the remote cache tests and benchmark run against, with pinned versions, into a
# per-user cache folder (once): Azurite (Microsoft's Azure Storage emulator) and s3rver (an S3-compatible server).
# The tests start them on a free 127.0.0.1 port and stop them; without node/npm they are skipped with the reason.
set -euo pipefail
root="${COMPRESSBUILD_EMULATORS:-$HOME/.cache/compressbuild/test-emulators}"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "test set-up: node/npm not found: the remote cache tests will be skipped"
  exit 0
fi

install() {
  local name=$1 version=$2 dir="$root/$1-$2"
  [ -f "$dir/node_modules/$name/package.json" ] && return 0
  echo "test set-up: installing $name@$version into $dir"
  # No install scripts: both are plain JavaScript; the folder is only ever used by the tests.
  npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts --loglevel=error "$name@$version" >/dev/null
}

install azurite 3.37.0
install s3rver 3.7.1
