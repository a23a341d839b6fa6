#!/usr/bin/env bash
# `make run`: the whole pipeline live. Starts an embedded Kafka (referralctl dev-broker, librdkafka's
# mock cluster) unless KAFKA_BOOTSTRAP names a cluster, the standardiser, the router, the feed and
# the intake (gRPC, with test certificates), the monitor, a Prometheus scraping them all (where
# one is installed) and simulated incidents; prints a summary every few seconds. Ctrl-C stops
# everything in order (the children run in their own sessions so that Ctrl-C reaches only this
# script).
#
# Usage: run.sh BIN_DIR
# Environment: KAFKA_BOOTSTRAP (use this cluster), DEMO_PREFIX (prefix of every topic on that
#              cluster, default "demo.", so that simulated referrals never land in real LA
#              queues), RATE (incidents/s, default 20), SEED (1), EVERY (seconds between
#              summaries, 5), STANDARDISER_HTTP (127.0.0.1:9101), ROUTER_HTTP (127.0.0.1:9102),
#              FEED_HTTP (127.0.0.1:9103), FEED_GRPC (127.0.0.1:50051), INTAKE_HTTP
#              (127.0.0.1:9104), INTAKE_GRPC (127.0.0.1:50052), MONITOR_HTTP
#              (127.0.0.1:9105), PROMETHEUS_HTTP (127.0.0.1:9090), RUN_SECONDS (stop by
#              itself after this long). Logs and test certificates stay in a folder it names.
set -euo pipefail
bin=$(cd "${1:?usage: run.sh BIN_DIR}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rate=${RATE:-20}
seed=${SEED:-1}
every=${EVERY:-5}
std_http=${STANDARDISER_HTTP:-127.0.0.1:9101}
rtr_http=${ROUTER_HTTP:-127.0.0.1:9102}
feed_http=${FEED_HTTP:-127.0.0.1:9103}
feed_grpc=${FEED_GRPC:-127.0.0.1:50051}
intake_http=${INTAKE_HTTP:-127.0.0.1:9104}
intake_grpc=${INTAKE_GRPC:-127.0.0.1:50052}
monitor_http=${MONITOR_HTTP:-127.0.0.1:9105}
prometheus_http=${PROMETHEUS_HTTP:-127.0.0.1:9090}
work=$(mktemp -d -t referral-run-XXXXXX)

# Stops everything, then exits with $1 (0 for Ctrl-C and RUN_SECONDS, the failure's status else).
stop_all() {
  local code=${1:-0}
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  # Feed first, then the services (they drain and commit), then the broker.
  local group pid
  for group in "${sim_pid:-} ${prom_pid:-}" "${std_pid:-} ${rtr_pid:-} ${feed_pid:-} ${intake_pid:-} ${monitor_pid:-}" "${broker_pid:-}"; do
    for pid in $group; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in $group; do wait "$pid" 2>/dev/null || true; done
  done
  echo "Stopped. Logs are in $work."
  exit "$code"
}
trap 'stop_all $?' EXIT
trap 'stop_all 0' INT TERM

if [[ -z ${KAFKA_BOOTSTRAP:-} ]]; then
  setsid "$bin/referralctl" dev-broker --bootstrap-file "$work/bootstrap" >/dev/null 2>"$work/dev-broker.log" &
  broker_pid=$!
  for _ in $(seq 100); do [[ -s $work/bootstrap ]] && break; sleep 0.1; done
  [[ -s $work/bootstrap ]] || { cat "$work/dev-broker.log" >&2; exit 1; }
  KAFKA_BOOTSTRAP=$(<"$work/bootstrap")
  echo "Embedded Kafka (librdkafka mock cluster) on $KAFKA_BOOTSTRAP"
  std_config=deploy/config/standardiser.yaml
  rtr_config=deploy/config/router.yaml
  prefix=
else
  broker_pid=
  # A real cluster: every topic gets the demo prefix, so that simulated child referrals can never
  # land in the real topics that LA systems read.
  prefix=${DEMO_PREFIX-demo.}
  [[ -n $prefix ]] || { echo "DEMO_PREFIX must not be empty on a real cluster" >&2; exit 2; }
  python3 - "$root" "$work" "$prefix" <<'PY'
import json, sys
root, work, prefix = sys.argv[1:]
topics = {"incidents": "incidents.v1", "dead_letters": "incidents.dlq.v1",
          "standardised": "referrals.standardised.v1",
          "front_door_template": "referrals.frontdoor.{la}.v1", "edt_template": "referrals.edt.{edt}.v1",
          "triage": "referrals.triage.v1", "routing_dead_letters": "referrals.dlq.v1"}
topics = {k: prefix + v for k, v in topics.items()}
common = {"directory_file": f"{root}/deploy/config/directory.yaml", "topics": topics}
json.dump({**common, "kafka": {"group_id": prefix + "standardiser"}}, open(f"{work}/standardiser.json", "w"))
json.dump({**common, "kafka": {"group_id": prefix + "router"},
           "calendar": {"bank_holidays_file": f"{root}/deploy/config/bank-holidays.json"}},
          open(f"{work}/router.json", "w"))
PY
  std_config=$work/standardiser.json
  rtr_config=$work/router.json
  echo "Using the Kafka cluster at $KAFKA_BOOTSTRAP, every topic prefixed \"$prefix\" (DEMO_PREFIX)"
fi
export KAFKA_BOOTSTRAP

# The feed and intake serve mTLS only: test certificates for them, two subscribers and a control
# room, and their configs.
scripts/dev-certs.sh "$work/certs" bristol-lcs avon-edt asp-control-room >/dev/null
python3 - "$root" "$work" "$prefix" "$feed_http" "$feed_grpc" "$intake_http" "$intake_grpc" "$monitor_http" <<'PY'
import json, sys
root, work, prefix, http, grpc, intake_http, intake_grpc, monitor_http = sys.argv[1:]
tls = {"cert_file": f"{work}/certs/server.pem", "key_file": f"{work}/certs/server.key",
       "client_ca_file": f"{work}/certs/ca.pem"}
topics = {"front_door_template": "referrals.frontdoor.{la}.v1",
          "edt_template": "referrals.edt.{edt}.v1", "triage": "referrals.triage.v1",
          "audit": "referrals.audit.v1", "feedback": "referrals.feedback.v1"}
json.dump({"directory_file": f"{root}/deploy/config/directory.yaml",
           "topics": {k: prefix + v for k, v in topics.items()},
           "kafka": {"group_id": prefix + "referral-feed"},
           "http": {"listen": http},
           "grpc": {"listen": grpc, "tls": tls,
                    "grants_file": f"{root}/deploy/config/feed-grants.yaml"}},
          open(f"{work}/feed.json", "w"))
intake_topics = {"incidents": "incidents.v1", "front_door_template": "referrals.frontdoor.{la}.v1",
                 "edt_template": "referrals.edt.{edt}.v1", "triage": "referrals.triage.v1"}
json.dump({"directory_file": f"{root}/deploy/config/directory.yaml",
           "calendar": {"bank_holidays_file": f"{root}/deploy/config/bank-holidays.json",
                        "division": "england-and-wales"},
           "topics": {k: prefix + v for k, v in intake_topics.items()},
           "http": {"listen": intake_http},
           "grpc": {"listen": intake_grpc, "tls": tls,
                    "grants_file": f"{root}/deploy/config/intake-grants.yaml"}},
          open(f"{work}/intake.json", "w"))
monitor_topics = {"standardised": "referrals.standardised.v1",
                  "front_door_template": "referrals.frontdoor.{la}.v1",
                  "edt_template": "referrals.edt.{edt}.v1", "triage": "referrals.triage.v1",
                  "feedback": "referrals.feedback.v1", "dead_letters": "incidents.dlq.v1",
                  "routing_dead_letters": "referrals.dlq.v1"}
json.dump({"directory_file": f"{root}/deploy/config/directory.yaml",
           "topics": {k: prefix + v for k, v in monitor_topics.items()},
           "source_systems": ["storm", "niche", "athena"],
           "state_topic": prefix + "referrals.monitor.state.v1",
           "kafka": {"group_id": prefix + "referral-monitor",
                     "transactional_id": prefix + "referral-monitor", "commit_interval_ms": 1000},
           "http": {"listen": monitor_http}},
          open(f"{work}/monitor.json", "w"))
PY

setsid "$bin/standardiser" --config "$std_config" --instance run --http-listen "$std_http" \
  >"$work/standardiser.log" 2>&1 &
std_pid=$!
setsid "$bin/router" --config "$rtr_config" --instance run --http-listen "$rtr_http" \
  >"$work/router.log" 2>&1 &
rtr_pid=$!
setsid "$bin/feed" --config "$work/feed.json" --instance run >"$work/feed.log" 2>&1 &
feed_pid=$!
setsid "$bin/intake" --config "$work/intake.json" --instance run >"$work/intake.log" 2>&1 &
intake_pid=$!
setsid "$bin/monitor" --config "$work/monitor.json" --instance run >"$work/monitor.log" 2>&1 &
monitor_pid=$!

ready() { curl -fs "http://$1/readyz" >/dev/null 2>&1; }
for _ in $(seq 300); do
  ready "$std_http" && ready "$rtr_http" && ready "$feed_http" && ready "$intake_http" &&
    ready "$monitor_http" && break
  for pid in $std_pid $rtr_pid $feed_pid $intake_pid $monitor_pid; do
    kill -0 "$pid" 2>/dev/null || { tail -n 5 "$work"/*.log >&2; exit 1; }
  done
  sleep 0.2
done

# A Prometheus scraping every service with the shipped rules, where one is installed (Debian's
# `prometheus`, which `make deps` installs for the tests).
prom_pid=
if command -v prometheus >/dev/null 2>&1; then
  mkdir -p "$work/prometheus"
  {
    echo "global: {scrape_interval: 5s, evaluation_interval: 15s}"
    echo "rule_files: ['$root/deploy/prometheus/rules/*.yaml']"
    echo "scrape_configs:"
    for job in "standardiser $std_http" "router $rtr_http" "feed $feed_http" "intake $intake_http" \
      "monitor $monitor_http"; do
      read -r name address <<<"$job"
      echo "  - {job_name: referral-$name, static_configs: [{targets: ['$address']}]}"
    done
  } >"$work/prometheus/prometheus.yml"
  setsid prometheus --config.file="$work/prometheus/prometheus.yml" \
    --storage.tsdb.path="$work/prometheus/data" --web.listen-address="$prometheus_http" \
    --log.level=warn >"$work/prometheus.log" 2>&1 &
  prom_pid=$!
fi

setsid "$bin/referralctl" simulate --config "$std_config" --rate "$rate" --duration 86400 \
  --seed "$seed" --at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >/dev/null 2>"$work/simulate.log" &
sim_pid=$!

cat <<EOT
Standardiser, router, feed, intake and monitor are ready; feeding $rate simulated incidents/s (seed $seed).

Submit an incident as a control room would, and see what will happen to it:
  $bin/referralctl submit --target localhost:${intake_grpc##*:} \\
      --cert $work/certs/asp-control-room.pem --key $work/certs/asp-control-room.key \\
      --ca $work/certs/ca.pem tests/data/incidents/01-domestic-abuse-complete.incident.json

Receive Bristol's referrals as its front door would (gRPC, mTLS with a test certificate):
  $bin/referralctl subscribe --target localhost:${feed_grpc##*:} --queue frontdoor/E06000023 \\
      --subscription demo --ack --cert $work/certs/bristol-lcs.pem \\
      --key $work/certs/bristol-lcs.key --ca $work/certs/ca.pem
  or the council's Python example: examples/python-la-inbox/README.md (same certificates)
  who received a referral: $bin/referralctl audit --bootstrap $KAFKA_BOOTSTRAP --referral ID \\
      --audit-topic ${prefix}referrals.audit.v1 --feedback-topic ${prefix}referrals.feedback.v1

Where to look:
  metrics   curl -s http://$std_http/metrics   curl -s http://$rtr_http/metrics   curl -s http://$feed_http/metrics
  consistency (the monitor)   curl -s http://$monitor_http/metrics | grep ^referral_monitor_
  $(if [[ -n $prom_pid ]]; then echo "Prometheus  http://$prometheus_http  (rules and alerts: http://$prometheus_http/alerts)"; else echo "Prometheus  not installed (apt-get install prometheus), so not started"; fi)
  dashboards  deploy/grafana/README.md: load them into a Grafana pointed at that Prometheus
  report    $bin/referralctl report --bootstrap $KAFKA_BOOTSTRAP --config $work/monitor.json \\
              --from $(date -u +%Y-%m-%d) --to $(date -u +%Y-%m-%d) --format md
  health    curl -s http://$rtr_http/readyz
  records   $bin/referralctl tail --bootstrap $KAFKA_BOOTSTRAP ${prefix}referrals.frontdoor.E06000023.v1
            kcat -b $KAFKA_BOOTSTRAP -X isolation.level=read_committed -C -t ${prefix}incidents.dlq.v1 -f '%k %h\\n'
  logs      $work
Ctrl-C stops everything.
EOT

# Sum of a metric's samples whose labels match a regular expression.
metric() { awk -v name="$2" -v want="$3" '$1 ~ "^"name"({|$)" && $1 ~ want { s += $2 } END { printf "%d", s }' "$1"; }

started=$SECONDS
while true; do
  sleep "$every" & wait $!  # wait, unlike sleep, lets the Ctrl-C trap run at once
  for pid in $std_pid $rtr_pid $monitor_pid; do
    kill -0 "$pid" 2>/dev/null || { echo "a service stopped:"; tail -n 5 "$work"/*.log; exit 1; }
  done
  curl -fs "http://$std_http/metrics" >"$work/std.prom" || true
  curl -fs "http://$rtr_http/metrics" >"$work/rtr.prom" || true
  curl -fs "http://$monitor_http/metrics" >"$work/monitor.prom" || true
  echo
  echo "== $(date -u +%H:%M:%SZ) after $((SECONDS - started)) s"
  echo "incidents in: $(metric "$work/std.prom" referral_records_committed_total '')" \
    "  referred: $(metric "$work/std.prom" referral_incidents_total 'referred')" \
    "  skipped: $(metric "$work/std.prom" referral_incidents_total 'skipped')" \
    "  dead letters: $(metric "$work/std.prom" referral_dead_letters_total '') (standardiser)" \
    "$(metric "$work/rtr.prom" referral_dead_letters_total '') (router)"
  echo "referrals out by LA and window:"
  { grep -E '^referral_referrals_routed_total' "$work/rtr.prom" || true; } |
    sed -E 's/.*la="([^"]+)".*window="([^"]+)".* ([0-9.e+]+)$/\1 \2 \3/' |
    awk '{ n[$1" "$2] += $3 } END { for (k in n) printf "  %-12s %-13s %d\n", substr(k, 1, index(k, " ") - 1), substr(k, index(k, " ") + 1), n[k] }' |
    sort
  echo "top quality issues:"
  { grep -E '^referral_quality_issues_total' "$work/std.prom" || true; } |
    sed -E 's/.*issue="([^"]+)".* ([0-9.e+]+)$/\2 \1/' | sort -rn | head -5 |
    awk '{ printf "  %-45s %d\n", $2, $1 }'
  echo "monitor: referrals counted $(metric "$work/monitor.prom" referral_monitor_referrals_total '')" \
    "  acknowledged $(metric "$work/monitor.prom" referral_monitor_acknowledgement_seconds_count '')" \
    "  unacknowledged now $(metric "$work/monitor.prom" referral_monitor_unacknowledged_referrals '')"
  if [[ -n ${RUN_SECONDS:-} ]] && ((SECONDS - started >= RUN_SECONDS)); then stop_all 0; fi
done
