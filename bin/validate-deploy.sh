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
# This script runs the maintained tools that check the schemas, then bin/validate-deploy.py, the project's
# own rules and cross-checks against the code (what they expect, lists, tables and field rules, in
# bin/validate-deploy.yaml):
#   kubectl kustomize   renders the overlays (kustomize v4+; kubectl 1.21+ has it built in)
#   deploy/schema-check every rendered object, built-in and Strimzi, CloudNativePG and
#                       prometheus-operator custom resources, against pinned npm models (node 18+,
#                       npm), unknown fields rejected
#   docker-compose      `docker-compose config` validates docker-compose.yml against the compose schema
#   promtool            (Debian's prometheus) prometheus.yml; validate-deploy.py runs it on the alert
#                       rules and the dashboard's queries
#   bash -n             the shell scripts
#   yamllint            (Debian's) every YAML file parses; no style rules
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
  command -v yamllint >/dev/null 2>&1 || missing+=(yamllint)
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

# The maintained tools first; what one rejects is a problem. Then bin/validate-deploy.py, the project's
# rules, on the overlays as kubectl kustomize renders them (JSON arrays, as check.mjs reads them too).
TMP=$(mktemp -d /tmp/validate-deploy-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
failed=0
problem() {  # where [what]: a problem (what: the tool's output, $TMP/out, on one line)
  echo "  ✘ $1: ${2:-$(tr -s ' \n' '  ' <"$TMP/out")}" >&2
  failed=1
}
render() {  # overlay file
  kubectl kustomize "$ROOT/k8s/overlays/$1" 2>"$TMP/out" >"$TMP/$1.yaml" &&
    "$PY" -c 'import json, sys, yaml; json.dump([d for d in yaml.safe_load_all(sys.stdin) if d], sys.stdout)' \
      <"$TMP/$1.yaml" >"$2" 2>"$TMP/out" ||
    { sed -i -E 's/^E[0-9]{4} [0-9:.]+ +[0-9]+ [^ ]+\] "command failed" err=<?//' "$TMP/out"; return 1; }
}
if $dump; then
  if [ $# -ne 3 ] || [ ! -d "$ROOT/k8s/overlays/${2:-/}" ]; then
    echo "usage: bin/validate-deploy.sh --dump-rendered <overlay> <file, or - for stdout>" >&2
    exit 2
  fi
  render "$2" "$TMP/out.json" || { problem "k8s/overlays/$2: kubectl kustomize fails"; exit 1; }
  if [ "$3" = - ]; then cat "$TMP/out.json"; else cp "$TMP/out.json" "$3"; fi
  exit 0
fi
[ $# -eq 0 ] || { echo "validate-deploy: unknown arguments $*" >&2; exit 2; }

started=$(date +%s)
rendered=()
for dir in "$ROOT"/k8s/overlays/*/; do
  overlay=$(basename "$dir")
  if render "$overlay" "$TMP/rendered-$overlay.json"; then
    rendered+=("$overlay=$TMP/rendered-$overlay.json")
  else
    problem "k8s/overlays/$overlay: kubectl kustomize fails"
  fi
done
kustomize=$(kubectl version --client | sed -n 's/^Kustomize Version: //p')
echo "  ✔ k8s overlays rendered by kubectl kustomize ($kustomize)"
# Every rendered object against the pinned npm models, unknown fields rejected: ✔ or ✘ per overlay.
if [ ${#rendered[@]} -gt 0 ]; then
  if ! node "$SC/check.mjs" "${rendered[@]}" >"$TMP/schemas" 2>"$TMP/out"; then
    failed=1
    grep -q '^✘' "$TMP/schemas" || problem "deploy/schema-check: check.mjs failed"
  fi
  sed 's/^/  /' "$TMP/schemas"
fi
for env_file in "" deploy/images.env; do  # the compose schema (no Docker engine needed for `config`)
  (cd "$ROOT" && docker-compose -f docker-compose.yml ${env_file:+--env-file "$env_file"} config -q) >"$TMP/out" 2>&1 ||
    problem "docker-compose.yml: docker-compose config${env_file:+ --env-file $env_file} rejects it"
done
promtool check config --syntax-only "$ROOT/deploy/prometheus/prometheus.yml" >"$TMP/out" 2>&1 ||
  problem "deploy/prometheus/prometheus.yml: promtool check config rejects it"
for script in deploy/postgres/init-databases.sh deploy/kafka/create-topics.sh bin/validate-deploy.sh; do
  [ -x "$ROOT/$script" ] || problem "$script" "is not executable"
  bash -n "$ROOT/$script" 2>"$TMP/out" || problem "$script: bash -n"
done
# Every YAML file parses (yamllint with no style rules: syntax only).
lint='{rules: {}, ignore: [.git/, node_modules/, target/, .eventline/, .idea/, .vscode/]}'
(cd "$ROOT" && yamllint -f parsable -d "$lint" .) >"$TMP/out" 2>&1 || problem "YAML files: yamllint"
echo "  ✔ docker-compose config, promtool check config, bash -n, yamllint ran"

"$PY" "$ROOT/bin/validate-deploy.py" "$ROOT" "$TMP" || failed=1
if [ $failed -ne 0 ]; then
  echo "validate-deploy: failed (the problems are the ✘ lines above)" >&2
  exit 1
fi
echo "validate-deploy: all deployment checks passed ($(( $(date +%s) - started )) s)"
