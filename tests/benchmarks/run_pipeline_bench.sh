#!/usr/bin/env bash
# `make bench`, parts 2 and 3: starts a real Kafka broker of its own (tests/kafka/broker.sh, in
# BUILD_DIR/bench-kafka), runs pipeline_bench.py and feed_bench.py (the project's venv, for
# grpcio) against it and stops it again.
# Usage: run_pipeline_bench.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?usage: run_pipeline_bench.sh BUILD_DIR}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$build/bench-kafka
mkdir -p "$state"
trap '"$root/tests/kafka/broker.sh" stop "$state"' EXIT
"$root/tests/kafka/broker.sh" start "$state" >/dev/null
KAFKA_BROKER_STATE_DIR=$state KAFKA_BROKER_SH=$root/tests/kafka/broker.sh \
  REFERRAL_BIN_DIR=$build/bin REFERRAL_SOURCE_DIR=$root PYTHONDONTWRITEBYTECODE=1 \
  python3 "$root/tests/benchmarks/pipeline_bench.py"
KAFKA_BROKER_STATE_DIR=$state KAFKA_BROKER_SH=$root/tests/kafka/broker.sh \
  REFERRAL_BIN_DIR=$build/bin REFERRAL_SOURCE_DIR=$root PYTHONDONTWRITEBYTECODE=1 \
  REFERRAL_PY_STUBS=$build/python GRPC_VERBOSITY=ERROR \
  "$build/tools/venv/bin/python" "$root/tests/benchmarks/feed_bench.py"
