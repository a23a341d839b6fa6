#!/usr/bin/env bash
# Installs the Debian packages the build, tests and tools need. Idempotent: quiet when every
# package is present; runs `apt-get update` only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  libprotobuf-dev protobuf-compiler
  libgrpc++-dev protobuf-compiler-grpc
  grpc-proto  # grpc/health/v1/health.proto, for grpcurl: gRPC's C++ health service has no descriptor to reflect
  golang-github-gogo-googleapis-dev  # google/rpc/{status,error_details}.proto: gRPC error details
  librdkafka-dev libssl-dev
  prometheus-cpp-dev libcivetweb-dev
  libabsl-dev libyaml-cpp-dev libcli11-dev libspdlog-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  tzdata
  clang libclang-rt-14-dev
  kcat
  python3 python3-venv python3-yaml  # python3-yaml: tests/deploy/check_prometheus_rules.py
  prometheus  # promtool: checks and unit-tests deploy/prometheus (CTest prometheus_rules)
  openjdk-17-jre-headless maven
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

# npm (for buf) may come from NodeSource rather than Debian; ask for Debian's only when absent.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
