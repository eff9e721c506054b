#!/usr/bin/env bash
# Offline validation of the deployment files: docker-compose.yml, the Dockerfiles, k8s/ (both
# overlays), the Grafana dashboard, the alerts and docs/operations.md, checked against what the
# services actually read and export. No Docker, no cluster, no network but Debian's packages.
#
#   bin/validate-deploy.sh            # exit 0 when everything holds, 1 with the list of problems
#
#   bin/validate-deploy.sh --dump-rendered prod out.json   # an overlay's rendered objects as JSON
#
# Needs Debian's python3-yaml, python3-kubernetes (the Kubernetes API models, for strict schema
# checks) and docker-compose (its `config` validates against the compose schema), and node 18+ with
# npm (nodejs, npm): deploy/schema-check validates every rendered object, built-in and Strimzi,
# CloudNativePG and prometheus-operator custom resources, against pinned npm models, unknown fields
# rejected. Missing Debian packages are installed with apt-get when running as root; otherwise it
# stops and says what to install. deploy/schema-check's packages are installed with `npm ci` (from
# the npm registry) when its node_modules is missing or older than its package-lock.json.
# kustomize: a `kustomize` or `kubectl kustomize` (kustomize v4+) on PATH renders the overlays;
# without one, a built-in renderer does (Debian's kubernetes-client ships kustomize v2.0.3, too
# old for these kustomizations), and when both exist they must agree.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Debian's python: the packages below install into its dist-packages, not into another python3.
PY=/usr/bin/python3

missing=()
[ -x "$PY" ] || missing+=(python3)
if [ -x "$PY" ]; then
  "$PY" -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
  "$PY" -c 'import kubernetes.client' 2>/dev/null || missing+=(python3-kubernetes)
fi
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
dump=false
[ "${1:-}" = --dump-rendered ] && dump=true
if ! $dump; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "validate-deploy: missing Debian packages: ${missing[*]}" >&2
    echo "  install them (sudo apt-get install -y ${missing[*]}) or run this as root on Debian" >&2
    exit 2
  fi
  echo "validate-deploy: installing ${missing[*]} (apt-get) …"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/validate-deploy-apt.log 2>&1; then
    apt-get update -qq >>/tmp/validate-deploy-apt.log 2>&1 || true
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/validate-deploy-apt.log 2>&1; then
      echo "validate-deploy: apt-get could not install ${missing[*]}; see /tmp/validate-deploy-apt.log" >&2
      exit 2
    fi
  fi
fi

if ! $dump; then
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 18 ]; then
    echo "validate-deploy: node $(node --version) is too old for deploy/schema-check; it needs node 18 or newer" >&2
    exit 2
  fi
  SC="$ROOT/deploy/schema-check"
  if [ ! -f "$SC/node_modules/.package-lock.json" ] || [ "$SC/package-lock.json" -nt "$SC/node_modules/.package-lock.json" ]; then
    echo "validate-deploy: installing deploy/schema-check's pinned packages (npm ci) …"
    if ! (cd "$SC" && npm ci --no-audit --no-fund) >/tmp/validate-deploy-npm.log 2>&1; then
      echo "validate-deploy: npm ci failed in deploy/schema-check (it needs the npm registry); see /tmp/validate-deploy-npm.log" >&2
      exit 2
    fi
  fi
fi

exec "$PY" "$ROOT/bin/validate-deploy.py" "$ROOT" "$@"
