#!/usr/bin/env bash
# Installs the chart tools at pinned versions into TOOLS_DIR/bin: helm (lint, template),
# kubeconform (manifests validated against schemas) and helm-docs (the chart's README from its
# values). `make deps` runs it.
#
# Usage: go-tools.sh [TOOLS_DIR]   (default: $TOOLS_DIR, else build/tools)
#
# Both are built from source with `go install` through the Go module proxy: their release
# archives come from outside any package registry, which CI cannot reach. They need a Go of 1.24
# or later: the Go on PATH, else /usr/local/go. About 70 s on two cores, once.
#
# Idempotent and quiet: a stamp beside each binary records the version it was built at.
set -euo pipefail

readonly tools_pinned=(
  "helm helm.sh/helm/v3/cmd/helm@v3.22.0"
  "kubeconform github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0"
  "helm-docs github.com/norwoodj/helm-docs/cmd/helm-docs@v1.14.2"
)
tools=${1:-${TOOLS_DIR:-build/tools}}
mkdir -p "$tools/bin"
bin_dir=$(cd "$tools/bin" && pwd)

go=$(command -v go || true)
if [[ -z "$go" && -x /usr/local/go/bin/go ]]; then go=/usr/local/go/bin/go; fi

for entry in "${tools_pinned[@]}"; do
  read -r name package <<<"$entry"
  stamp="$bin_dir/.$name.version"
  if [[ -x "$bin_dir/$name" && -f "$stamp" && "$(cat "$stamp")" == "$package" ]]; then continue; fi
  if [[ -z "$go" ]]; then
    echo "go-tools: no Go found (go on PATH or /usr/local/go); $name needs Go 1.24 or later" >&2
    exit 1
  fi
  echo "go-tools: installing $package into $bin_dir"
  log=$(mktemp -t go-tools-XXXXXX)
  # GOTOOLCHAIN=local: build with this Go, never fetch another.
  if ! (cd / && GOBIN="$bin_dir" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
    "$go" install "$package") >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "go-tools: go install $package failed" >&2
    exit 1
  fi
  rm -f "$log"
  echo "$package" >"$stamp"
done
