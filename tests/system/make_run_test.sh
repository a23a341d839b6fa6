#!/usr/bin/env bash
# System test of `make run` (scripts/run.sh): the embedded broker, both services and the
# simulated feed come up, the summary shows incidents in and referrals out by LA, and the
# script stops everything and exits 0 by itself (RUN_SECONDS).
# Usage: make_run_test.sh BIN_DIR
set -euo pipefail
bin=${1:?usage: make_run_test.sh BIN_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
read -r p1 p2 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
out=$(mktemp)
trap 'rm -f "$out"' EXIT
STANDARDISER_HTTP=127.0.0.1:$p1 ROUTER_HTTP=127.0.0.1:$p2 RUN_SECONDS=12 EVERY=6 RATE=50 \
  timeout 120 "$root/scripts/run.sh" "$bin" >"$out" 2>&1 || { cat "$out"; echo "run.sh failed"; exit 1; }
cat "$out"
fail() { echo "make_run_test: $*" >&2; exit 1; }
grep -q '^Embedded Kafka (librdkafka mock cluster) on 127.0.0.1:' "$out" || fail "no embedded broker"
last=$(grep -E '^incidents in: ' "$out" | tail -1)
[[ $last =~ ^incidents\ in:\ ([0-9]+)\ +referred:\ ([0-9]+) ]] || fail "no summary line"
((BASH_REMATCH[1] >= 200 && BASH_REMATCH[2] >= 150)) || fail "too few incidents: $last"
grep -qE '^  E06000023 +(in_hours|out_of_hours) +[1-9]' "$out" || fail "no Bristol referrals"
grep -qE '^  [a-z_]+ +[1-9][0-9]*$' "$out" || fail "no quality issues"
grep -q '^Stopped\.' "$out" || fail "did not stop cleanly"
if pgrep -f -- "--http-listen 127.0.0.1:($p1|$p2)" >/dev/null; then fail "left services running"; fi
echo "make_run_test: ok"
