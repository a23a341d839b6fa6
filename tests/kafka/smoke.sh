#!/usr/bin/env bash
# Smoke test of the test broker (CTest: kafka_broker_smoke): produces 3 messages with kcat to a
# topic of its own (auto-created, 3 partitions) and consumes them back from the beginning.
# Usage: smoke.sh STATE_DIR   (the STATE_DIR that `broker.sh start` was given)
set -euo pipefail

(($# == 1)) || { echo "usage: smoke.sh STATE_DIR" >&2; exit 2; }
bootstrap=$(<"$1/bootstrap")
topic="smoke-$(date +%s%N)-$$"
sent=$'alpha\nbravo\ncharlie'

# kcat -P waits for delivery reports before exiting and fails if one failed.
printf '%s\n' "$sent" | kcat -b "$bootstrap" -P -t "$topic"
got=$(timeout 30 kcat -b "$bootstrap" -C -t "$topic" -o beginning -e -q | sort)

if [[ $got != "$sent" ]]; then
  printf 'smoke.sh: sent to %s:\n%s\nbut consumed:\n%s\n' "$topic" "$sent" "$got" >&2
  exit 1
fi
echo "smoke.sh: 3 messages through $topic on $bootstrap"
