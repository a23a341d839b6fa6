#!/usr/bin/env bash
# System test of `make run` (scripts/run.sh): the embedded broker, the five services, Prometheus
# and the simulated incidents come up; Prometheus scrapes all five and `promtool check metrics`
# passes on each; the feed serves Bristol's referrals and the intake takes one; the summary shows
# incidents in, referrals out by LA and the monitor's counts; and the script stops everything and
# exits 0 by itself (RUN_SECONDS).
# Usage: make_run_test.sh BIN_DIR
set -euo pipefail
bin=${1:?usage: make_run_test.sh BIN_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
read -r p1 p2 p3 p4 p5 p6 p7 p8 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(8)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
out=$(mktemp)
trap 'rm -f "$out"' EXIT
STANDARDISER_HTTP=127.0.0.1:$p1 ROUTER_HTTP=127.0.0.1:$p2 FEED_HTTP=127.0.0.1:$p3 \
  FEED_GRPC=127.0.0.1:$p4 INTAKE_HTTP=127.0.0.1:$p5 INTAKE_GRPC=127.0.0.1:$p6 \
  MONITOR_HTTP=127.0.0.1:$p7 PROMETHEUS_HTTP=127.0.0.1:$p8 RUN_SECONDS=20 EVERY=6 RATE=50 \
  timeout 120 "$root/scripts/run.sh" "$bin" >"$out" 2>&1 &
run_pid=$!
fail() { echo "make_run_test: $*" >&2; exit 1; }
# While it runs, receive Bristol's referrals from the feed exactly as the printed help says.
for _ in $(seq 300); do grep -q 'monitor are ready' "$out" && break; sleep 0.2; done
grep -q 'monitor are ready' "$out" || { cat "$out"; fail "the services did not become ready"; }
certs=$(grep -oE -- '--cert [^ ]+' "$out" | head -1 | cut -d' ' -f2 | xargs dirname)
"$bin/referralctl" subscribe --target "localhost:$p4" --queue frontdoor/E06000023 \
  --subscription smoke --ack --count 3 --timeout 15 --cert "$certs/bristol-lcs.pem" \
  --key "$certs/bristol-lcs.key" --ca "$certs/ca.pem" >"$out.subscribe" 2>&1 ||
  { cat "$out.subscribe"; fail "no referrals from the feed"; }
grep -cq '^delivery .* attempt 1' "$out.subscribe" || fail "unexpected deliveries: $(cat "$out.subscribe")"
# And submit one as a control room would.
"$bin/referralctl" submit --target "localhost:$p6" --cert "$certs/asp-control-room.pem" \
  --key "$certs/asp-control-room.key" --ca "$certs/ca.pem" \
  "$root/tests/data/incidents/01-domestic-abuse-complete.incident.json" >>"$out.subscribe" 2>&1 ||
  { cat "$out.subscribe"; fail "the intake did not accept the sample incident"; }
grep -q '^accepted evt-2026-0001, 1 referral' "$out.subscribe" || fail "no preview: $(cat "$out.subscribe")"
# Prometheus scrapes the five services.
up=0
for _ in $(seq 60); do
  up=$(curl -fs "http://127.0.0.1:$p8/api/v1/query?query=sum(up)" 2>/dev/null |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)' 2>/dev/null || echo 0)
  ((up == 5)) && break
  sleep 0.5
done
((up == 5)) || { cat "$out"; fail "Prometheus sees $up of 5 services up"; }
# Every service's /metrics is valid exposition text by Prometheus's own linter.
for port in $p1 $p2 $p3 $p5 $p7; do
  curl -fs "http://127.0.0.1:$port/metrics" | promtool check metrics ||
    fail "promtool check metrics failed on 127.0.0.1:$port"
done
wait "$run_pid" || { cat "$out"; echo "run.sh failed"; exit 1; }
cat "$out" "$out.subscribe"
rm -f "$out.subscribe"
grep -q '^Embedded Kafka (librdkafka mock cluster) on 127.0.0.1:' "$out" || fail "no embedded broker"
last=$(grep -E '^incidents in: ' "$out" | tail -1)
[[ $last =~ ^incidents\ in:\ ([0-9]+)\ +referred:\ ([0-9]+) ]] || fail "no summary line"
((BASH_REMATCH[1] >= 200 && BASH_REMATCH[2] >= 150)) || fail "too few incidents: $last"
grep -qE '^  E06000023 +(in_hours|out_of_hours) +[1-9]' "$out" || fail "no Bristol referrals"
grep -qE '^  [a-z_]+ +[1-9][0-9]*$' "$out" || fail "no quality issues"
last_monitor=$(grep -E '^monitor: referrals counted ' "$out" | tail -1)
[[ $last_monitor =~ referrals\ counted\ ([0-9]+).*acknowledged\ ([0-9]+) ]] || fail "no monitor line"
((BASH_REMATCH[1] >= 100 && BASH_REMATCH[2] >= 3)) || fail "the monitor counted too little: $last_monitor"
grep -q '^Stopped\.' "$out" || fail "did not stop cleanly"
if pgrep -f -- "--http-listen 127.0.0.1:($p1|$p2)" >/dev/null; then fail "left services running"; fi
if pgrep -f -- "(monitor.json|web.listen-address=127.0.0.1:$p8)" >/dev/null; then
  fail "left the monitor or Prometheus running"
fi
if pgrep -f -- "$(dirname "$certs")/(feed|intake).json" >/dev/null; then
  fail "left the feed or intake running"
fi
echo "make_run_test: ok"
