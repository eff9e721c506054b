#!/usr/bin/env bash
# Node.js 22 LTS is the web side's baseline (18 and 20 are end of life); this is the one home of
# that rule and of the way to get it:
#   bin/node22.sh --check   exit 0 when the `node` on PATH is 22 or newer (and npm is there); else
#                           say what is wrong and how to get Node 22, and exit 1 (web/build.sh)
#   bin/node22.sh           print a directory with a `node` 22+ to put first on PATH (.ci/run): the
#                           machine's own when it is new enough, else the npm registry's Node (the
#                           package node-<os>-<cpu>, installed once with the machine's npm into
#                           ~/.cache/eventline/node-22, or $EVENTLINE_NODE_CACHE), with one line
#                           on stderr saying so
# By hand:  PATH="$(bin/node22.sh):$PATH" ./mvnw verify
# That package holds node only: npm stays the machine's, and runs on the Node first on PATH.
set -euo pipefail

MIN=22
VERSION=22.23.5 # what is installed when the machine's Node is older than $MIN
CACHE=${EVENTLINE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eventline/node-22}

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "${1:-}" = "--check" ]; then
  how="install Node.js $MIN LTS, or use the npm registry's: PATH=\"\$(bin/node22.sh):\$PATH\" (from the repository's root; .ci/run does that itself)"
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "Node.js $MIN+ and npm are needed: $how (it needs npm: apt-get install npm)" >&2
    exit 1
  fi
  if [ "$(major node)" -lt "$MIN" ]; then
    echo "Node.js $(node --version) is too old: $MIN or newer is needed (18 and 20 are end of life); $how" >&2
    exit 1
  fi
  exit 0
fi

if command -v node >/dev/null 2>&1 && [ "$(major node)" -ge "$MIN" ]; then
  dirname "$(command -v node)"
  exit 0
fi
machine=$(node --version 2>/dev/null || echo "no Node.js")

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "node22: no npm package of Node.js for $(uname -s); install Node.js $MIN LTS" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) cpu=x64 ;;
  aarch64 | arm64) cpu=arm64 ;;
  *) echo "node22: no npm package of Node.js for $(uname -m); install Node.js $MIN LTS" >&2; exit 1 ;;
esac
pkg=node-$os-$cpu
bin=$CACHE/node_modules/$pkg/bin

if [ ! -x "$bin/node" ] || [ "$(major "$bin/node")" -lt "$MIN" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "node22: npm is needed to install Node.js $VERSION ($machine here; Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
  echo "node22: installing Node.js $VERSION (npm package $pkg) into $CACHE, once …" >&2
  mkdir -p "$(dirname "$CACHE")"
  tmp=$(mktemp -d "$CACHE.XXXXXX")
  if ! npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$pkg@$VERSION" >/dev/null \
    || [ "$(major "$tmp/node_modules/$pkg/bin/node")" -lt "$MIN" ]; then
    rm -rf "$tmp"
    echo "node22: could not install $pkg@$VERSION with npm; install Node.js $MIN LTS" >&2
    exit 1
  fi
  rm -rf "$CACHE"
  mv "$tmp" "$CACHE"
fi
echo "node22: using Node.js $("$bin/node" --version) from $bin (the machine has $machine, older than $MIN)" >&2
echo "$bin"
