#!/usr/bin/env bash
# Runs a real single-node Apache Kafka 4.x broker (KRaft, broker+controller in one JVM) on
# loopback for the integration tests, from the Maven Central jars that fetch.sh caches. No Docker.
#
#   broker.sh start STATE_DIR        fresh broker: new ports, wiped + formatted data dir;
#                                    prints the bootstrap address (host:port)
#   broker.sh stop STATE_DIR         SIGTERM, up to 20 s, then SIGKILL; no-op if not running
#   broker.sh start-again STATE_DIR  after stop: same ports, same data (no format)
#   broker.sh status STATE_DIR       exit 0 if the broker runs and answers a metadata request
#   broker.sh abort-hanging STATE_DIR TOPIC_PREFIX MIN_AGE_S
#                                    aborts transactions left open for MIN_AGE_S or more on the
#                                    topics starting TOPIC_PREFIX and __consumer_offsets (a broker
#                                    fault; see AbortHangingTransactions.java); prints each one
#
# STATE_DIR gets: server.properties, data/, logs/server.log, broker.out, pid, bootstrap.
# Environment: KAFKA_VERSION (4.4.0), KAFKA_CACHE_DIR, KAFKA_HEAP_OPTS (-Xms256m -Xmx512m),
# KAFKA_START_TIMEOUT (60 s), KAFKA_STOP_TIMEOUT (20 s).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=${KAFKA_VERSION:-4.4.0}
lib=${KAFKA_CACHE_DIR:-$HOME/.cache/referral-gateway}/kafka-$version/lib
start_timeout=${KAFKA_START_TIMEOUT:-60}
stop_timeout=${KAFKA_STOP_TIMEOUT:-20}

die() { echo "broker.sh: $*" >&2; exit 1; }

usage() {
  echo "usage: broker.sh {start|start-again|stop|status} STATE_DIR" >&2
  echo "       broker.sh abort-hanging STATE_DIR TOPIC_PREFIX MIN_AGE_S" >&2
  exit 2
}

require_tools() {
  local tool
  for tool in java kcat python3 "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed (see scripts/deps.sh)"
  done
}

# The pid in STATE_DIR/pid if that process is alive and is this state dir's broker (guards
# against a recycled pid); nothing otherwise.
broker_pid() {
  local pid
  [[ -f $state/pid ]] || return 0
  pid=$(<"$state/pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  if [[ -r /proc/$pid/cmdline ]] &&
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "kafka.Kafka $state/server.properties"; then
    echo "$pid"
  fi
}

# True if the broker answers a metadata request and lists itself.
answers() {
  local bootstrap
  bootstrap=$(<"$state/bootstrap")
  kcat -b "$bootstrap" -L -m 3 2>/dev/null | grep -q "broker 1 at"
}

# Two free loopback ports below the ephemeral range, so that while the broker is stopped a
# client reconnecting to it can never be handed the broker's port as its own local port.
pick_ports() {
  python3 - <<'EOF'
import random, socket
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except OSError:
    low = 32768
picked = []
for _ in range(500):
    port = random.randint(10000, max(10001, low - 1))
    if port in picked:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))  # no SO_REUSEADDR: fails if anything holds the port
    except OSError:
        continue
    finally:
        s.close()
    picked.append(port)
    if len(picked) == 2:
        break
while len(picked) < 2:  # fallback: let the kernel choose
    s = socket.socket(); s.bind(("127.0.0.1", 0)); picked.append(s.getsockname()[1]); s.close()
print(*picked)
EOF
}

write_config() {
  local port=$1 cport=$2
  cat >"$state/server.properties" <<EOF
# Written by tests/kafka/broker.sh: single-node KRaft broker for tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$state/data

# One broker: every internal topic has one replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1

# Test-friendly behaviour.
group.initial.rebalance.delay.ms=0
num.partitions=3
auto.create.topics.enable=true
# Abort transactions of a producer that died mid-transaction soon after transaction.timeout.ms,
# so read_committed consumers are not held back for long.
transaction.abort.timed.out.transaction.cleanup.interval.ms=1000

# Small machine: few threads.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
EOF
}

launch() {
  local heap=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} pid bootstrap deadline
  mkdir -p "$state/logs"
  : >"$state/broker.out"
  # setsid: own session and process group (pgid = pid), so stop can signal the whole group and
  # the broker survives the caller's terminal/ctest process group. nohup: ignore SIGHUP.
  # shellcheck disable=SC2086  # heap holds several JVM options
  setsid nohup java $heap -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$here/log4j2.properties" -Dkafka.logs.dir="$state/logs" \
    -cp "$lib/*" kafka.Kafka "$state/server.properties" \
    >>"$state/broker.out" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$state/pid"
  bootstrap=$(<"$state/bootstrap")
  deadline=$((SECONDS + start_timeout))
  until answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      fail_start "the broker exited during start-up"
    fi
    if ((SECONDS >= deadline)); then
      stop_broker >/dev/null 2>&1 || true
      fail_start "the broker did not answer on $bootstrap within ${start_timeout} s"
    fi
    sleep 0.5
  done
  echo "$bootstrap"
}

fail_start() {
  echo "broker.sh: $1; last lines of $state/logs/server.log and broker.out:" >&2
  tail -n 40 "$state/logs/server.log" >&2 2>/dev/null || true
  tail -n 20 "$state/broker.out" >&2 2>/dev/null || true
  exit 1
}

stop_broker() {
  local pid deadline
  pid=$(broker_pid)
  if [[ -z $pid ]]; then
    rm -f "$state/pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + stop_timeout))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "broker.sh: broker $pid still running after ${stop_timeout} s; SIGKILL" >&2
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$state/pid"
}

cmd_start() {
  require_tools mvn
  "$here/fetch.sh"
  stop_broker  # a broker left over from an earlier run of this state dir
  # Remove only what this script creates: STATE_DIR may be a directory with other content.
  rm -rf "$state/data" "$state/logs" "$state/server.properties" "$state/bootstrap" \
    "$state/broker.out" "$state/format.out"
  local ports port cport cluster_id
  ports=$(pick_ports)
  read -r port cport <<<"$ports"
  write_config "$port" "$cport"
  echo "127.0.0.1:$port" >"$state/bootstrap"
  mkdir -p "$state/logs"
  local jvm=(java -Xmx256m -Dlog4j2.configurationFile="$here/log4j2.properties"
    -Dkafka.logs.dir="$state/logs" -cp "$lib/*" kafka.tools.StorageTool)
  cluster_id=$("${jvm[@]}" random-uuid 2>>"$state/format.out")
  # Static quorum (controller.quorum.voters is set): no --standalone, which is only for a
  # dynamic quorum configured with controller.quorum.bootstrap.servers.
  "${jvm[@]}" format -t "$cluster_id" -c "$state/server.properties" \
    >>"$state/format.out" 2>&1 || { cat "$state/format.out" >&2; die "storage format failed"; }
  launch
}

cmd_start_again() {
  require_tools
  [[ -f $state/server.properties && -f $state/data/meta.properties && -f $state/bootstrap ]] ||
    die "$state holds no formatted broker; use 'start' first"
  [[ -d $lib ]] || die "no Kafka jars in $lib; use 'start' first"
  if [[ -n $(broker_pid) ]]; then
    answers && { cat "$state/bootstrap"; return 0; }
    die "a broker is running from $state but does not answer; stop it first"
  fi
  launch
}

cmd_status() {
  [[ -n $(broker_pid) && -f $state/bootstrap ]] && answers
}

(($# == 2)) || [[ ${1:-} == abort-hanging ]] || usage
[[ -n ${2:-} ]] || usage
if [[ $1 == start ]]; then
  mkdir -p "$2"
elif [[ ! -d $2 ]]; then
  [[ $1 == stop ]] && exit 0  # nothing was ever started there
  die "no state dir $2"
fi
state=$(cd "$2" && pwd)

case $1 in
  start) cmd_start ;;
  start-again) cmd_start_again ;;
  stop) stop_broker ;;
  status) cmd_status ;;
  abort-hanging)
    (($# == 4)) || usage
    java -cp "$lib/*" "$here/AbortHangingTransactions.java" "$(<"$state/bootstrap")" "$3" "$4" ;;
  *) usage ;;
esac
