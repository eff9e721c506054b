#!/usr/bin/env bash
# Offline validation of the deployment files: docker-compose.yml, the Dockerfiles, k8s/ (both
# overlays), the Grafana dashboard, the alerts and docs/operations.md, checked against what the
# services actually read and export. No Docker, no cluster, no network but Debian's packages and
# the npm registry.
#
#   bin/validate-deploy.sh            # exit 0 when everything holds, 1 with the list of problems,
#                                     # 2 when a tool is missing and cannot be installed
#   bin/validate-deploy.sh --dump-rendered prod out.json   # an overlay's rendered objects as JSON
#
# The schemas are checked by maintained tools, the project's own rules and cross-checks against
# the code by bin/validate-deploy.py (what they expect, lists and tables, in bin/validate-deploy.yaml):
#   kubectl kustomize   renders the overlays (kustomize v4+; kubectl 1.21+ has it built in)
#   deploy/schema-check every rendered object, built-in and Strimzi, CloudNativePG and
#                       prometheus-operator custom resources, against pinned npm models (node 18+,
#                       npm), unknown fields rejected
#   docker-compose      `docker-compose config` validates docker-compose.yml against the compose schema
#   promtool            (Debian's prometheus) the alert rules, the dashboard's queries, prometheus.yml
#   python3-yaml        bin/validate-deploy.py reads the files with it
# Missing Debian packages are installed with apt-get when running as root; otherwise it stops and
# says what to install. kubectl is no Debian package (Debian's kubernetes-client ships kustomize
# v2.0.3, too old for these kustomizations): the machine has it (Google Cloud SDK's kubectl
# package); apt-get installs it only where a configured repository has it. deploy/schema-check's
# packages are installed with `npm ci` (from the npm registry) when its node_modules is missing or
# older than its package-lock.json.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Debian's python: the packages below install into its dist-packages, not into another python3.
PY=/usr/bin/python3

missing=()
[ -x "$PY" ] || missing+=(python3)
if [ -x "$PY" ]; then
  "$PY" -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
fi
# kubectl with kustomize v4+ (`kubectl version --client` names its kustomize).
kustomize_major=$( (kubectl version --client 2>/dev/null || true) | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')
if [ "${kustomize_major:-0}" -lt 4 ]; then
  if apt-cache policy kubectl 2>/dev/null | grep 'Candidate: [0-9]' >/dev/null; then
    missing+=(kubectl)
  else
    echo "validate-deploy: needs kubectl with kustomize v4 or newer (\`kubectl kustomize\`); none on PATH (or an older one), and no" >&2
    echo "  configured apt repository has a kubectl package (Debian's kubernetes-client is too old)" >&2
    exit 2
  fi
fi
dump=false
[ "${1:-}" = --dump-rendered ] && dump=true
if ! $dump; then
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
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
