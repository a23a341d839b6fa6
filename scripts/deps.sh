#!/usr/bin/env bash
# Installs the Debian packages the build, tests and tools need. Idempotent: quiet when every
# package is present; runs `apt-get update` only when something is missing.
set -euo pipefail

# What building the services needs (deploy/docker/Dockerfile's build stage installs only these:
# scripts/deps.sh --build-only).
build_packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  curl  # scripts/librdkafka.sh
  python3  # CMake registers the Python tests when it configures
  libprotobuf-dev protobuf-compiler
  libgrpc++-dev protobuf-compiler-grpc
  librdkafka-dev libssl-dev
  prometheus-cpp-dev libcivetweb-dev
  libabsl-dev libyaml-cpp-dev libcli11-dev libspdlog-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  golang-github-gogo-googleapis-dev  # google/rpc/{status,error_details}.proto: gRPC error details
  rapidjson-dev  # the JSON codec of the services (services/common/core/json_codec.cc)
)
# What the tests and tools need besides.
test_packages=(
  grpc-proto  # grpc/health/v1/health.proto, for grpcurl: gRPC's C++ health service has no descriptor to reflect
  tzdata
  clang libclang-rt-14-dev
  kcat
  python3-venv python3-yaml  # python3-yaml: tests/deploy/check_prometheus_rules.py
  prometheus  # promtool: checks and unit-tests deploy/prometheus (CTest prometheus_rules)
  openjdk-17-jre-headless maven
  mmdebstrap umoci  # make image: the OCI image without a container engine (scripts/image.sh)
)

if [[ "${1:-}" == "--build-only" ]]; then
  packages=("${build_packages[@]}")
else
  packages=("${build_packages[@]}" "${test_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

# npm (for buf) may come from NodeSource rather than Debian; ask for Debian's only when absent.
if [[ "${1:-}" != "--build-only" ]]; then
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
fi

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
