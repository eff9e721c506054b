#!/usr/bin/env bash
# The web side's build, called by the gateway's Maven build (and usable by hand):
#   web/build.sh <out-dir>   type-check, then build the app into <out-dir> (default app/dist)
#   web/build.sh --test      the client package's unit tests (vitest)
# Uses the Node.js 22+ and npm on PATH; where the machine's Node is older (Debian's is 18), the npm
# registry's Node 22 (bin/node22.sh, installed once into ~/.cache/eventline/node-22). Installs
# node_modules from the lockfile when they are missing or older than it.
set -euo pipefail
cd "$(dirname "$0")"

if ! ../bin/node22.sh --check 2>/dev/null; then
  if command -v npm >/dev/null 2>&1 && node_bin=$(../bin/node22.sh); then
    export PATH="$node_bin:$PATH"
  else
    ../bin/node22.sh --check || true
    echo "web: or build the gateway without the web app: ./mvnw -Dweb.skip package" >&2
    exit 1
  fi
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install` with the committed lockfile, not `npm ci`: the lockfile has no entries for the
  # other platforms' optional binaries (rollup's, esbuild's) when the registry mirror lacks them,
  # and `npm ci` refuses such a lockfile even though nothing this platform needs is missing.
  echo "web: npm install (from package-lock.json)"
  npm install --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = "--test" ]; then
  exec npx vitest run --root client
fi
out=$(mkdir -p "${1:-app/dist}" && cd "${1:-app/dist}" && pwd)
npm run --silent typecheck
EVENTLINE_WEB_OUT="$out" npx vite build app --logLevel warn
echo "web: built into $out"
