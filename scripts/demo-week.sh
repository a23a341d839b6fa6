#!/usr/bin/env bash
# A simulated week's report: runs the pipeline for Monday 23 to Sunday 29 November 2026, one
# router run per day with its clock set to that day, acknowledges part of the referrals through
# the feed as two council systems would, checks that the monitor counts the same data, then writes
# `referralctl report` for the week as HTML and Markdown and a screenshot of the HTML taken with
# headless Chromium. `scripts/demo-week.sh docs` makes docs/report-week.{html,md,png}.
#
# Usage: demo-week.sh OUT_DIR
# Writes OUT_DIR/report-week.html, OUT_DIR/report-week.md and OUT_DIR/report-week.png.
# Environment: BIN_DIR (default build/bin), CHROMIUM (default: chromium on the PATH),
#              WINDOW_SIZE (of the screenshot, default 1340,2470: the charts and the
#              consistency, acknowledgement and decision tables).
#
# The broker is a real single-node Kafka (tests/kafka/broker.sh, the one the tests use), not the
# embedded `referralctl dev-broker`: librdkafka's mock cluster answers a ListOffsets by timestamp
# with "no record", so `referralctl report`, which starts reading at a time, counts nothing on it;
# and it does not keep the offsets a transaction commits, so each day's router would route the
# days before again.
#
# Needs: the built binaries (make build), what `make test` installs for the real broker (Java 17,
# kcat, mvn and the Kafka jars tests/kafka/fetch.sh caches; fetched on first use), the Python venv
# and stubs (make deps; scripts/gen-python-stubs.sh build/python), openssl, curl, jq, and Chromium
# for the screenshot. Chromium is a documentation tool, not a dependency of the gateway: on
# Debian, as root, `apt-get install -y --no-install-recommends chromium`.
#
# The routing moment is the router's clock (`--clock-start`), so each day is routed as if it were
# that day: weekdays in office hours (front doors), Wednesday at 20:00Z and the weekend at 02:00Z
# out of hours (the emergency duty teams). Acknowledgements and decisions are made now, by the
# feed's real clock, days (or more) after the simulated routing: the timeliness figures show that
# lag, not a council's performance. The standardiser has no such clock: what the report dates by
# the Kafka record's time (revisions standardised, dead letters) falls on the day the script runs,
# outside the week, so those tables stay empty.
#
# Takes about a minute on two cores. Every process it starts is stopped on exit; on failure the
# logs stay in the folder it names (/tmp/referral-demo-week-*); on success it is removed.
set -euo pipefail

out=${1:?usage: demo-week.sh OUT_DIR}
[[ $out == /* ]] || out=$PWD/$out
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=$(cd "${BIN_DIR:-build/bin}" && pwd)
py=$root/build/tools/venv/bin/python
export REFERRAL_PY_STUBS=$root/build/python
chromium=${CHROMIUM:-$(command -v chromium || true)}
window_size=${WINDOW_SIZE:-1340,2470}

# Everything it needs, before starting anything.
missing=()
for b in referralctl standardiser router feed monitor; do
  [[ -x $bin/$b ]] || missing+=("$bin/$b (make build)")
done
[[ -x $py ]] || missing+=("$py (make deps)")
[[ -d $REFERRAL_PY_STUBS/referral ]] ||
  missing+=("$REFERRAL_PY_STUBS (scripts/gen-python-stubs.sh build/python)")
for c in openssl curl jq java kcat mvn; do command -v "$c" >/dev/null || missing+=("$c"); done
if [[ -z $chromium || ! -x $chromium ]]; then
  missing+=("chromium, for the screenshot (Debian: apt-get install -y --no-install-recommends chromium)")
fi
if ((${#missing[@]})); then
  echo "demo-week: missing:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 2
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d -t referral-demo-week-XXXXXX)
pids=()          # started, in order; stopped in reverse
broker_started=

# Stops a process: SIGTERM (services drain and commit), SIGKILL after 30 s.
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "demo-week: process $pid did not stop in 30 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# Stops a process started with `start` before the end, and forgets it.
stop_early() {
  local pid=$1 kept=() p
  stop_pid "$pid"
  for p in "${pids[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  pids=("${kept[@]}")
}

cleanup() {
  local code=$?
  trap - EXIT INT TERM
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}"; done
  [[ -n $broker_started ]] && { tests/kafka/broker.sh stop "$work/kafka" || true; }
  if ((code == 0)); then
    rm -rf "$work"
  else
    echo "demo-week: failed (status $code); logs are in $work" >&2
    for f in "$work"/*.log; do
      [[ -s $f ]] || continue
      echo "--- tail of $f" >&2
      tail -n 3 "$f" >&2
    done
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "demo-week: $*" >&2; exit 1; }

# Starts a program in its own session, its output in $work/NAME.log; sets $started_pid.
start() {
  local name=$1
  shift
  setsid "$@" >"$work/$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

# The value of KEY of a service's "started" log line, once it is there (services log their port).
started_field() {
  local name=$1 pid=$2 key=$3 value i
  for i in $(seq 600); do
    value=$(jq -Rr --arg key "$key" 'fromjson? | select(.event? == "started") | .[$key] // empty' \
      "$work/$name.log" 2>/dev/null | head -n 1 || true)
    [[ -n $value ]] && { echo "$value"; return 0; }
    kill -0 "$pid" 2>/dev/null || fail "$name stopped while starting"
    sleep 0.1
  done
  fail "$name did not start in 60 s"
}

wait_ready() {
  local name=$1 pid=$2 port=$3 i
  for i in $(seq 600); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || fail "$name stopped while starting"
    sleep 0.1
  done
  fail "$name not ready in 60 s: $(curl -s "http://127.0.0.1:$port/readyz" || true)"
}

# Sum of a metric's samples whose labels match a regular expression, from a service's /metrics.
metric() {
  { curl -fs "http://127.0.0.1:$1/metrics" || true; } |
    awk -v name="$2" -v want="${3:-}" '$1 ~ "^"name"({|$)" && $1 ~ want { s += $2 } END { printf "%d", s }'
}

# 1. A single-node Kafka broker of its own, on free loopback ports.
broker_started=1
KAFKA_BOOTSTRAP=$(tests/kafka/broker.sh start "$work/kafka" 2>"$work/broker-start.log") ||
  fail "the Kafka broker did not start ($work/broker-start.log, $work/kafka/logs)"
export KAFKA_BOOTSTRAP
echo "Kafka broker on $KAFKA_BOOTSTRAP; logs in $work"

# 2. The standardiser, for the whole week.
start standardiser "$bin/standardiser" --config deploy/config/standardiser.yaml --instance demo-week \
  --http 127.0.0.1:0
std_pid=$started_pid
std_port=$(started_field standardiser "$std_pid" http_port)
wait_ready standardiser "$std_pid" "$std_port"

# 3. The week: one router run per day, its clock at that day's moment, one batch of incidents.
#    day  router clock          incidents
days=(
  "Mon 2026-11-23T10:00:00Z 48"
  "Tue 2026-11-24T10:00:00Z 57"
  "Wed 2026-11-25T20:00:00Z 34"
  "Thu 2026-11-26T10:00:00Z 60"
  "Fri 2026-11-27T13:00:00Z 45"
  "Sat 2026-11-28T02:00:00Z 26"
  "Sun 2026-11-29T02:00:00Z 21"
)
published=0
routed_before=0
printf '%-4s %-21s %9s %9s\n' day "router clock" incidents referrals
for entry in "${days[@]}"; do
  read -r day clock count <<<"$entry"
  seed=${clock:8:2}
  start "router-$seed" "$bin/router" --config deploy/config/router.yaml --instance demo-week \
    --http 127.0.0.1:0 --clock-start "$clock"
  rtr_pid=$started_pid
  rtr_port=$(started_field "router-$seed" "$rtr_pid" http_port)
  wait_ready "router-$seed" "$rtr_pid" "$rtr_port"

  "$bin/referralctl" simulate --config deploy/config/standardiser.yaml --count "$count" \
    --seed "$seed" --at "$clock" >>"$work/simulate.log" 2>&1
  published=$((published + count))

  # Routed when the standardiser has committed every incident published so far and the router
  # has committed every standardised record it has not routed on an earlier day.
  done_day=
  target=unknown
  routed=0
  for _ in $(seq 1200); do
    if (($(metric "$std_port" referral_records_committed_total 'incidents\.v1') >= published)); then
      standardised=$(metric "$std_port" referral_records_produced_total 'referrals\.standardised\.v1')
      target=$((standardised - routed_before))
      routed=$(metric "$rtr_port" referral_records_committed_total 'referrals\.standardised\.v1')
      if ((routed >= target)); then done_day=1; break; fi
    fi
    kill -0 "$rtr_pid" 2>/dev/null || fail "the router of $day stopped"
    sleep 0.1
  done
  [[ -n $done_day ]] || fail "$day: not routed in 120 s (standardised $target, routed $routed)"
  routed_before=$((routed_before + routed))
  printf '%-4s %-21s %9d %9d\n' "$day" "$clock" "$count" "$routed"
  stop_early "$rtr_pid"
done

# 4. Two council systems receive and acknowledge their queues through the feed (mTLS, test
#    certificates), then record three decisions.
scripts/dev-certs.sh "$work/certs" bristol-lcs avon-edt >/dev/null
jq -n --arg root "$root" --arg certs "$work/certs" '{
  directory_file: "\($root)/deploy/config/directory.yaml",
  topics: {front_door_template: "referrals.frontdoor.{la}.v1", edt_template: "referrals.edt.{edt}.v1",
           triage: "referrals.triage.v1", audit: "referrals.audit.v1", feedback: "referrals.feedback.v1"},
  kafka: {group_id: "referral-feed"},
  http: {listen: "127.0.0.1:0"},
  grpc: {listen: "127.0.0.1:0",
         tls: {cert_file: "\($certs)/server.pem", key_file: "\($certs)/server.key",
               client_ca_file: "\($certs)/ca.pem"},
         grants_file: "\($root)/deploy/config/feed-grants.yaml"}}' >"$work/feed.json"
start feed "$bin/feed" --config "$work/feed.json" --instance demo-week
feed_pid=$started_pid
feed_port=$(started_field feed "$feed_pid" http_port)
feed_grpc=$(started_field feed "$feed_pid" grpc_port)
wait_ready feed "$feed_pid" "$feed_port"

inbox() {  # inbox CLIENT SUBCOMMAND ARGS...: examples/python-la-inbox/inbox.py as CLIENT
  local client=$1 sub=$2
  shift 2
  "$py" examples/python-la-inbox/inbox.py "$sub" --target "localhost:$feed_grpc" \
    --cert "$work/certs/$client.pem" --key "$work/certs/$client.key" --ca "$work/certs/ca.pem" "$@"
}
receive() {  # receive CLIENT QUEUE
  local client=$1 queue=$2
  inbox "$client" receive --queue "$queue" --subscription "$client" --out "$work/inbox-$client" \
    --idle-exit 5 >"$work/inbox-$client.log" 2>&1 || fail "inbox of $client failed"
  echo "$client received and acknowledged $(grep -c '^delivery=' "$work/inbox-$client.log") referrals from $queue"
}
receive bristol-lcs frontdoor/E06000023
receive avon-edt edt/avon

# A decision on the Nth referral (by file name) a client received: its id and revision.
decide() {  # decide CLIENT N QUEUE OUTCOME ROLE REASON
  local client=$1 n=$2 queue=$3 outcome=$4 role=$5 reason=$6 file id rev
  file=$(find "$work/inbox-$client" -name '*.json' -printf '%f\n' | sort | sed -n "${n}p")
  [[ -n $file ]] || fail "$client has no referral number $n to decide on"
  id=${file%-r*.json}
  rev=${file##*-r}
  rev=${rev%.json}
  inbox "$client" decide --decider-role "$role" --reason "$reason" "$id" "$rev" "$queue" "$outcome" \
    >>"$work/decisions.log" 2>&1 || fail "decision by $client failed"
}
decide bristol-lcs 1 frontdoor/E06000023 s17_assessment "MASH team manager" "Assessment opened"
decide bristol-lcs 2 frontdoor/E06000023 early_help "MASH team manager" "Family support offered"
decide avon-edt 1 edt/avon s47_enquiry "EDT senior practitioner" "Strategy discussion held"
echo "3 decisions recorded"
stop_early "$feed_pid"

# 5. The monitor on the same data: it must count the referrals the report counts.
#    Its clock is set to the Monday after the week, so that it remembers the week's referrals
#    (replay_window_hours) whenever the script runs.
start monitor "$bin/monitor" --config deploy/config/monitor.yaml --instance demo-week --http 127.0.0.1:0 \
  --clock-start 2026-11-30T09:00:00Z
mon_pid=$started_pid
mon_port=$(started_field monitor "$mon_pid" http_port)
wait_ready monitor "$mon_pid" "$mon_port"
monitored=0
stable=0
for _ in $(seq 300); do
  now=$(metric "$mon_port" referral_monitor_referrals_total)
  if ((now > 0 && now == monitored)); then
    stable=$((stable + 1))
    ((stable >= 10)) && break
  else
    stable=0
  fi
  monitored=$now
  sleep 0.2
done
((monitored > 0)) || fail "the monitor's /metrics has no referral_monitor_referrals_total"
acks=$(metric "$mon_port" referral_monitor_acknowledgement_seconds_count)
echo "monitor: $monitored referrals, $acks acknowledgements (referral_monitor_referrals_total)"
stop_early "$mon_pid"

# 6. The report.
for format in html md; do
  "$bin/referralctl" report --from 2026-11-23 --to 2026-11-29 --format "$format" \
    --output "$out/report-week.$format" 2>>"$work/report.log" || fail "report --format $format failed"
done
reported=$(awk -F'|' '$2 ~ /\*\*All\*\*/ { gsub(/ /, "", $4); print $4; exit }' "$out/report-week.md")
echo "report: $reported referrals in the week"
[[ $reported == "$monitored" ]] ||
  echo "demo-week: note: the report counts $reported referrals, the monitor $monitored" >&2

# 7. The screenshot.
rm -f "$out/report-week.png"
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$work/chromium" --window-size="$window_size" \
  --screenshot="$out/report-week.png" "file://$out/report-week.html" >"$work/chromium.log" 2>&1 ||
  fail "chromium failed"
[[ -s $out/report-week.png ]] || fail "chromium wrote no screenshot"
echo "Wrote $out/report-week.html, $out/report-week.md and $out/report-week.png"
