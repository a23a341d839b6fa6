#!/usr/bin/env bash
# Produces the JSON schemas `kubeconform -strict` checks the chart's manifests against, offline
# at test time: TOOLS_DIR/schemas/k8s (every Kubernetes kind, from the OpenAPI spec in the
# k8s.io/kubernetes module) and TOOLS_DIR/schemas/crd (custom resources, from their CRDs: the
# Prometheus Operator's ServiceMonitor and PrometheusRule, KEDA's ScaledObject, cert-manager's
# Certificate, Strimzi's KafkaTopic and KafkaUser). Every source is pinned: the Go modules come
# from the Go module proxy; Strimzi, a Java project, from Maven Central (see strimzi_crds). The
# schemas close every object (additionalProperties: false), so a misspelt field fails:
# kubeconform's -strict alone only refuses duplicate keys. `make deps` runs it; it does nothing
# when the schemas of these pins are already there.
#
# Usage: k8s-schemas.sh [TOOLS_DIR]   (default: $TOOLS_DIR, else build/tools)
set -euo pipefail

readonly kubernetes=k8s.io/kubernetes@v1.37.2
# The only version of the operator's main module the proxy serves.
readonly prometheus_operator=github.com/prometheus-operator/prometheus-operator@v0.85.0
# CRDs in config/crd/bases (KEDA) and deploy/crds (cert-manager), plain YAML, no templating.
readonly keda=github.com/kedacore/keda/v2@v2.21.0
readonly cert_manager=github.com/cert-manager/cert-manager@v1.21.2
# Strimzi's KafkaTopic and KafkaUser (kafka.strimzi.io/v1beta2, the version Strimzi 0.4x serves).
readonly strimzi=0.45.0
tools=${1:-${TOOLS_DIR:-build/tools}}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$tools"
tools=$(cd "$tools" && pwd)
out=$tools/schemas
stamp="$out/.versions"
want="$kubernetes $prometheus_operator $keda $cert_manager io.strimzi@$strimzi $(cat "$root/tests/deploy/k8s_schemas.py" "$root/tests/deploy/crd_schemas.py" | sha256sum | cut -c1-16)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then exit 0; fi

go=$(command -v go || true)
if [[ -z "$go" && -x /usr/local/go/bin/go ]]; then go=/usr/local/go/bin/go; fi
[[ -n "$go" ]] || { echo "k8s-schemas: no Go found (go on PATH or /usr/local/go)" >&2; exit 1; }
module_dir() {
  (cd / && GOTOOLCHAIN=local GOFLAGS=-mod=mod "$go" mod download -json "$1") |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])'
}

# Prints the folder holding Strimzi's 043-Crd-kafkatopic.yaml and 044-Crd-kafkauser.yaml,
# making them the first time. Strimzi publishes no CRD files to a registry: its io.strimzi:api
# jar on Maven Central has the model classes only, and Strimzi's build writes the CRDs from them
# with io.strimzi:crd-generator. This runs that generator with the arguments of Strimzi's own
# api/pom.xml (execution generate-crd-co-install-v1-eo); for 0.45.0 the output is byte for byte
# the release's packaging/install/cluster-operator/04{3,4}-Crd-*.yaml. The CRDs are kept in
# TOOLS_DIR/strimzi-crds-VERSION, so later runs need neither Maven nor Java.
strimzi_crds() {
  local dir=$tools/strimzi-crds-$strimzi
  if [[ ! -f "$dir/.complete" ]]; then
    local tool
    for tool in mvn java; do
      command -v "$tool" >/dev/null || { echo "k8s-schemas: '$tool' is not installed (scripts/deps.sh)" >&2; exit 1; }
    done
    local work=$dir.tmp
    rm -rf "$work" && mkdir -p "$work"
    # Nothing is built from this pom: Maven only copies the generator's classpath into lib/.
    cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>referral-gateway.tools</groupId>
  <artifactId>strimzi-crds</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>io.strimzi</groupId><artifactId>api</artifactId><version>$strimzi</version></dependency>
    <dependency><groupId>io.strimzi</groupId><artifactId>crd-generator</artifactId><version>$strimzi</version></dependency>
  </dependencies>
  <build><pluginManagement><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId>
    <artifactId>maven-dependency-plugin</artifactId>
    <version>3.8.1</version>
  </plugin></plugins></pluginManagement></build>
</project>
POM
    if ! mvn -q -B -Dstyle.color=never -f "$work/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$work/lib" >"$work/log" 2>&1 ||
       ! java -cp "$work/lib/*" io.strimzi.crdgenerator.CrdGenerator \
        --label app:strimzi --label strimzi.io/crd-install:true --target-kube 1.16+ \
        --crd-api-version v1 --api-versions v1alpha1,v1beta1,v1beta2 --storage-version v1beta2 --yaml \
        io.strimzi.api.kafka.model.topic.KafkaTopic="$work/043-Crd-kafkatopic.yaml" \
        io.strimzi.api.kafka.model.user.KafkaUser="$work/044-Crd-kafkauser.yaml" >>"$work/log" 2>&1; then
      echo "k8s-schemas: generating Strimzi $strimzi's CRDs failed; its output ($work/log):" >&2
      tail -n 40 "$work/log" >&2
      exit 1
    fi
    rm -rf "$dir" && mkdir -p "$dir"
    mv "$work"/04?-Crd-*.yaml "$dir"/
    rm -rf "$work"
    touch "$dir/.complete"
  fi
  echo "$dir"
}

echo "k8s-schemas: making the Kubernetes and CRD schemas ($kubernetes, $prometheus_operator, $keda, $cert_manager, Strimzi $strimzi)"
swagger=$(module_dir "$kubernetes")/api/openapi-spec/swagger.json
crds=$(module_dir "$prometheus_operator")/example/prometheus-operator-crd
keda_crds=$(module_dir "$keda")/config/crd/bases
cert_manager_crds=$(module_dir "$cert_manager")/deploy/crds
strimzi_crds=$(strimzi_crds)
rm -rf "$out"
python3 "$root/tests/deploy/k8s_schemas.py" "$swagger" "$out/k8s" >/dev/null
python3 "$root/tests/deploy/crd_schemas.py" "$swagger" "$out/crd" \
  "$crds/monitoring.coreos.com_servicemonitors.yaml" \
  "$crds/monitoring.coreos.com_prometheusrules.yaml" \
  "$keda_crds/keda.sh_scaledobjects.yaml" \
  "$cert_manager_crds/cert-manager.io_certificates.yaml" \
  "$strimzi_crds/043-Crd-kafkatopic.yaml" \
  "$strimzi_crds/044-Crd-kafkauser.yaml" >/dev/null
echo "$want" >"$stamp"
