#!/usr/bin/env bash
# The web side's build, called by the gateway's Maven build (and usable by hand):
#   web/build.sh <out-dir>   type-check, then build the app into <out-dir> (default app/dist)
#   web/build.sh --test      the client package's unit tests (vitest)
# Uses the machine's Node.js 18+ and npm (no downloaded toolchain); installs node_modules from the
# lockfile when they are missing or older than it.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "web: Node.js 18+ and npm are needed to build the web app (Debian: apt-get install nodejs npm)," >&2
  echo "web: or build the gateway without it: ./mvnw -Dweb.skip package" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "web: Node.js $(node --version) is too old; 18 or newer is needed" >&2
  exit 1
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
