#!/usr/bin/env bash
# Offline validation of the deployment files: docker-compose.yml, the Dockerfiles, k8s/ (both
# overlays), the Grafana dashboard, the alerts and docs/operations.md, checked against what the
# services actually read and export. No Docker, no cluster, no network but Debian's packages.
#
#   bin/validate-deploy.sh            # exit 0 when everything holds, 1 with the list of problems
#
# Needs Debian's python3-yaml, python3-kubernetes (the Kubernetes API models, for strict schema
# checks) and docker-compose (its `config` validates against the compose schema). Missing ones
# are installed with apt-get when running as root; otherwise it stops and says what to install.
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

exec "$PY" "$ROOT/bin/validate-deploy.py" "$ROOT" "$@"
