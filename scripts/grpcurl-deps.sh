#!/usr/bin/env bash
# Installs grpcurl, a command-line gRPC client, at a pinned version into TOOLS_DIR/bin, for
# calling the feed and intake by hand. `make deps` runs it.
#
# Usage: grpcurl-deps.sh [TOOLS_DIR]   (default: $TOOLS_DIR, else build/tools)
#
# It is built from source with `go install` through the Go module proxy: grpcurl's prebuilt
# release archives come from outside any package registry, which CI cannot reach. The Go on
# PATH (or /usr/local/go) is used; when there is none, Debian's golang-go (1.19 on Debian 12) is
# installed. v1.8.9 is the newest grpcurl whose go.mod asks for no more than Go 1.18, so it
# builds with Debian 12's Go as well as with a current one; v1.9.x needs Go 1.21 or later.
#
# Idempotent and quiet: nothing happens when TOOLS_DIR/bin/grpcurl reports the pinned version.
set -euo pipefail

readonly version=v1.8.9
tools=${1:-${TOOLS_DIR:-build/tools}}
mkdir -p "$tools/bin"
bin_dir=$(cd "$tools/bin" && pwd)

if [[ -x "$bin_dir/grpcurl" && "$("$bin_dir/grpcurl" -version 2>&1)" == "grpcurl $version" ]]; then
  exit 0
fi

go=$(command -v go || true)
if [[ -z "$go" && -x /usr/local/go/bin/go ]]; then go=/usr/local/go/bin/go; fi
if [[ -z "$go" ]]; then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "grpcurl-deps: installing golang-go"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends golang-go >/dev/null
  go=/usr/bin/go
fi

echo "grpcurl-deps: installing grpcurl $version into $bin_dir"
log=$(mktemp -t grpcurl-deps-XXXXXX)
trap 'rm -f "$log"' EXIT
# GOTOOLCHAIN=local: build with this Go, never fetch another (ignored by Go before 1.21).
# -ldflags sets the version `grpcurl -version` prints, which `go install` leaves unset.
if ! (cd / && GOBIN="$bin_dir" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
  "$go" install -ldflags "-X main.version=$version" \
  "github.com/fullstorydev/grpcurl/cmd/grpcurl@$version") >"$log" 2>&1; then
  cat "$log" >&2
  echo "grpcurl-deps: go install failed" >&2
  exit 1
fi
echo "grpcurl-deps: done"
