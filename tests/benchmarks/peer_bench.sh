#!/usr/bin/env bash
# `make bench`, part 4: the gateway's standardiser and router against the Kafka Streams peer
# (../shared/peers/kafka-streams: the same work as two Streams applications with exactly_once_v2),
# draining the same 50,000 incidents on one real Kafka broker, interleaved, medians of 3 runs:
# once with JSON on every topic, once with protobuf between the services. Skipped, saying why,
# where the peer or Java is missing. Then peer_latency.py: p50/p99 latency of both, at 10/s,
# 1,000/s and at 80% of each side's drain rate, on a broker of its own. Usage: peer_bench.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?usage: peer_bench.sh BUILD_DIR}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
peer=${PEER_DIR:-$root/../shared/peers/kafka-streams}
if [[ ! -x "$peer/run.sh" ]]; then
  echo "peer bench: skipped: no Kafka Streams peer at $peer (PEER_DIR)"
  exit 0
fi
if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  echo "peer bench: skipped: java and mvn are needed to build and run the peer"
  exit 0
fi
[[ "$build" == "$root/build" ]] || echo "peer bench: note: the peer runs $root/build/bin"
for encoding in JSON PROTOBUF; do
  echo "== the gateway (output_encoding $encoding) vs Kafka Streams (JSON), 50,000 incidents"
  (cd "$root" && PROJECT_DIR=$root BENCH_OUTPUT=$encoding "$peer/run.sh") |
    sed -n '/^| measure/,/^per-topic/p'
done
state=$build/bench-kafka-latency
mkdir -p "$state"
trap '"$root/tests/kafka/broker.sh" stop "$state"' EXIT
"$root/tests/kafka/broker.sh" start "$state" >/dev/null
echo "== latency: the gateway vs Kafka Streams, JSON on every topic"
KAFKA_BROKER_STATE_DIR=$state KAFKA_BROKER_SH=$root/tests/kafka/broker.sh \
  REFERRAL_BIN_DIR=$root/build/bin REFERRAL_SOURCE_DIR=$root PYTHONDONTWRITEBYTECODE=1 PEER_DIR=$peer \
  python3 "$root/tests/benchmarks/peer_latency.py"
