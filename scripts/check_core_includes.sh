#!/usr/bin/env bash
# Fails when a pure `core/` source includes I/O, clock or client-library headers (STYLE.md: pure
# core, thin shell). Usage: check_core_includes.sh SERVICES_DIR
set -euo pipefail
services=${1:?usage: check_core_includes.sh SERVICES_DIR}
forbidden='#include *[<"](librdkafka/|rdkafka|grpc|grpcpp/|prometheus/|fstream|iostream|filesystem|thread|chrono|yaml-cpp/|spdlog/|absl/time/clock\.h|services/common/config/)'
if matches=$(grep -rEn "$forbidden" --include='*.h' --include='*.cc' "$services"/*/core 2>/dev/null); then
  echo "core/ must stay pure (see STYLE.md); these includes belong in the shell:" >&2
  echo "$matches" >&2
  exit 1
fi
