#!/usr/bin/env bash
# Produces the JSON schemas `kubeconform -strict` checks the chart's manifests against, offline
# at test time: TOOLS_DIR/schemas/k8s (every Kubernetes kind, from the OpenAPI spec in the
# k8s.io/kubernetes module) and TOOLS_DIR/schemas/crd (the Prometheus Operator's ServiceMonitor
# and PrometheusRule, from the CRDs in its module). Both modules come from the Go module proxy
# (pinned); the schemas close every object (additionalProperties: false), so a misspelt field
# fails: kubeconform's -strict alone only refuses duplicate keys. `make deps` runs it.
#
# Usage: k8s-schemas.sh [TOOLS_DIR]   (default: $TOOLS_DIR, else build/tools)
set -euo pipefail

readonly kubernetes=k8s.io/kubernetes@v1.37.2
# The only version of the operator's main module the proxy serves.
readonly prometheus_operator=github.com/prometheus-operator/prometheus-operator@v0.85.0
tools=${1:-${TOOLS_DIR:-build/tools}}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$tools"
out=$(cd "$tools" && pwd)/schemas
stamp="$out/.versions"
want="$kubernetes $prometheus_operator $(cat "$root/tests/deploy/k8s_schemas.py" "$root/tests/deploy/crd_schemas.py" | sha256sum | cut -c1-16)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then exit 0; fi

go=$(command -v go || true)
if [[ -z "$go" && -x /usr/local/go/bin/go ]]; then go=/usr/local/go/bin/go; fi
[[ -n "$go" ]] || { echo "k8s-schemas: no Go found (go on PATH or /usr/local/go)" >&2; exit 1; }
module_dir() {
  (cd / && GOTOOLCHAIN=local GOFLAGS=-mod=mod "$go" mod download -json "$1") |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])'
}
echo "k8s-schemas: making the Kubernetes and CRD schemas ($kubernetes, $prometheus_operator)"
swagger=$(module_dir "$kubernetes")/api/openapi-spec/swagger.json
crds=$(module_dir "$prometheus_operator")/example/prometheus-operator-crd
rm -rf "$out"
python3 "$root/tests/deploy/k8s_schemas.py" "$swagger" "$out/k8s" >/dev/null
python3 "$root/tests/deploy/crd_schemas.py" "$swagger" "$out/crd" \
  "$crds/monitoring.coreos.com_servicemonitors.yaml" \
  "$crds/monitoring.coreos.com_prometheusrules.yaml" >/dev/null
echo "$want" >"$stamp"
