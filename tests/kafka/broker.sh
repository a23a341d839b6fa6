#!/usr/bin/env bash
# Runs a real single-node Apache Kafka 4.x broker (KRaft, broker+controller in one JVM) on
# loopback for the integration tests, from the Maven Central jars that fetch.sh caches. No Docker.
#
#   broker.sh start STATE_DIR        fresh broker: new ports, wiped + formatted data dir;
#                                    prints the bootstrap address (host:port)
#   broker.sh start-secured STATE_DIR
#                                    the same, secured as a force's cluster is: TLS only (a test
#                                    CA made now), SASL/SCRAM-SHA-512 users made at format time,
#                                    an mTLS listener, the StandardAuthorizer with no ACL meaning
#                                    no access; prints the SCRAM listener's address (README.md)
#   broker.sh start-split STATE_DIR  fresh cluster as `start`, but the controller runs in a JVM of
#                                    its own, as in a production KRaft cluster: `kill` then takes
#                                    the broker away and leaves the controller (README.md, "Gotchas")
#   broker.sh stop STATE_DIR         SIGTERM, up to 20 s, then SIGKILL (the broker, then a split
#                                    cluster's controller); no-op if not running
#   broker.sh kill STATE_DIR         SIGKILL to the broker at once: a crash; no-op if not running
#   broker.sh start-again STATE_DIR  after stop or kill: same ports, same data (no format)
#   broker.sh status STATE_DIR       exit 0 if the broker runs and answers a metadata request
#   broker.sh acls STATE_DIR create|delete
#                                    secured: creates or deletes the ACL bindings given as JSON
#                                    lines on stdin (see Acls.java), as the admin
#
# STATE_DIR gets: server.properties, data/, logs/server.log, broker.out, pid, bootstrap; split,
# also controller.properties, controller-data/, logs/controller/server.log, controller.out and
# controller.pid; secured,
# also bootstrap-mtls, tls/ (CA, certificates, keys), users/NAME.password, admin.properties and
# admin-mtls.properties.
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
  echo "usage: broker.sh {start|start-secured|start-split|start-again|stop|kill|status} STATE_DIR" >&2
  echo "       broker.sh acls STATE_DIR create|delete < bindings.jsonl" >&2
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
broker_pid() { process_pid pid server.properties; }

# The same for a split cluster's controller (controller.pid).
controller_pid() { process_pid controller.pid controller.properties; }

# process_pid PID_FILE PROPERTIES: the pid in STATE_DIR/PID_FILE if that process runs kafka.Kafka
# with STATE_DIR/PROPERTIES.
process_pid() {
  local pid
  [[ -f $state/$1 ]] || return 0
  pid=$(<"$state/$1")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  if [[ -r /proc/$pid/cmdline ]] &&
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "kafka.Kafka $state/$2"; then
    echo "$pid"
  fi
}

# True if the broker answers a metadata request and lists itself (node 1, or 2 when split).
answers() {
  local bootstrap
  bootstrap=$(<"$state/bootstrap")
  local conf=()
  # Secured: as the admin over mTLS. Debian's librdkafka 2.0.2 (kcat's) cannot authenticate with
  # SCRAM to a Kafka 4 broker (librdkafka#4895, fixed in 2.6.1), while any version does mTLS.
  if [[ -f $state/admin-mtls.properties ]]; then
    conf=(-F "$state/admin-mtls.properties")
    bootstrap=$(<"$state/bootstrap-mtls")
  fi
  kcat "${conf[@]}" -b "$bootstrap" -L -m 3 2>/dev/null | grep -qE "broker [0-9]+ at"
}

# Three free loopback ports below the ephemeral range, so that while the broker is stopped a
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
    if len(picked) == 3:
        break
while len(picked) < 3:  # fallback: let the kernel choose
    s = socket.socket(); s.bind(("127.0.0.1", 0)); picked.append(s.getsockname()[1]); s.close()
print(*picked)
EOF
}

write_config() {
  local port=$1 cport=$2 mport=$3
  if [[ $secured == yes ]]; then
    # Clients: SCRAM over TLS, or mTLS (the certificate's CN is the principal). The broker talks
    # to itself (controller, inter-broker) with mTLS as User:broker. Nothing in plaintext.
    cat >"$state/server.properties" <<EOF
# Written by tests/kafka/broker.sh start-secured: single-node KRaft broker, TLS only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=SCRAM://127.0.0.1:$port,MTLS://127.0.0.1:$mport,CONTROLLER://127.0.0.1:$cport
advertised.listeners=SCRAM://127.0.0.1:$port,MTLS://127.0.0.1:$mport
listener.security.protocol.map=SCRAM:SASL_SSL,MTLS:SSL,CONTROLLER:SSL
controller.listener.names=CONTROLLER
inter.broker.listener.name=MTLS
log.dirs=$state/data

sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.scram.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.scram.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=$state/tls/broker.keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$state/tls/ca.pem
listener.name.mtls.ssl.client.auth=required
listener.name.controller.ssl.client.auth=required
ssl.principal.mapping.rules=RULE:^CN=([^,]+)\$/\$1/,DEFAULT

authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:broker;User:admin
EOF
  elif [[ $split == yes ]]; then
    # The controller (node 1) alone in its JVM; the broker (node 2) in another.
    cat >"$state/controller.properties" <<EOF
# Written by tests/kafka/broker.sh start-split: the KRaft controller of a one-broker cluster.
process.roles=controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=CONTROLLER://127.0.0.1:$cport
listener.security.protocol.map=CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$state/controller-data
# A broker that stops heartbeating is fenced after 3 s (9 s by default): well inside an outage.
broker.session.timeout.ms=3000
EOF
    cat >"$state/server.properties" <<EOF
# Written by tests/kafka/broker.sh start-split: the broker of a one-broker cluster.
process.roles=broker
node.id=2
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$state/data
broker.heartbeat.interval.ms=1000
EOF
  else
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
EOF
  fi
  cat >>"$state/server.properties" <<EOF

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

# The principals of the secured broker: one per service, the operator (referralctl) and admin
# (a super user, for the tests' own set-up). Each gets a SCRAM password and a client certificate.
principals=(admin operator standardiser router feed intake monitor)

# A test CA, the broker's certificate (for 127.0.0.1 and localhost: hostname verification stays
# on) and a client certificate per principal, CN = the principal; a CA nobody trusts with a
# certificate of its own ("stranger"); and an expired certificate of the test CA ("expired").
make_certificates() {
  local tls=$state/tls name
  rm -rf "$tls"
  mkdir -p "$tls"
  key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
  self_signed() {  # NAME CN
    key "$tls/$1.key"
    openssl req -x509 -new -key "$tls/$1.key" -out "$tls/$1.pem" -days 30 -subj "/CN=$2" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  }
  sign() {  # NAME CA
    key "$tls/$1.key"
    openssl req -new -key "$tls/$1.key" -out "$tls/$1.csr" -subj "/CN=$1"
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' \
      >"$tls/$1.ext"
    openssl x509 -req -in "$tls/$1.csr" -CA "$tls/$2.pem" -CAkey "$tls/$2.key" -CAcreateserial \
      -days 30 -extfile "$tls/$1.ext" -out "$tls/$1.pem" 2>/dev/null
  }
  self_signed ca referral-test-ca
  self_signed stranger-ca stranger-ca
  for name in broker "${principals[@]}"; do sign "$name" ca; done
  sign stranger stranger-ca
  # Expired: valid for one day of January 2025 (`openssl x509` cannot back-date; `openssl ca`).
  key "$tls/expired.key"
  openssl req -new -key "$tls/expired.key" -out "$tls/expired.csr" -subj "/CN=expired"
  mkdir -p "$tls/ca-db"
  : >"$tls/ca-db/index.txt"
  echo 01 >"$tls/ca-db/serial"
  printf '%s\n' "[ca]" "default_ca = test" "[test]" "database = $tls/ca-db/index.txt" \
    "new_certs_dir = $tls/ca-db" "serial = $tls/ca-db/serial" "default_md = sha256" \
    "policy = any" "[any]" "commonName = supplied" >"$tls/ca-db/ca.cnf"
  openssl ca -batch -notext -config "$tls/ca-db/ca.cnf" -cert "$tls/ca.pem" -keyfile "$tls/ca.key" \
    -in "$tls/expired.csr" -out "$tls/expired.pem" -startdate 20250101000000Z \
    -enddate 20250102000000Z 2>/dev/null
  rm -rf "$tls/ca-db"
  cat "$tls/broker.key" "$tls/broker.pem" >"$tls/broker.keystore.pem"
  rm -f "$tls"/*.csr "$tls"/*.ext "$tls"/*.srl
}

# A random SCRAM password per principal (users/NAME.password) and the admin's client settings:
# admin.properties (SCRAM, for the Admin API tools), admin-mtls.properties (mTLS, for kcat -F).
make_users() {
  local name
  rm -rf "$state/users"
  mkdir -p "$state/users"
  for name in "${principals[@]}"; do
    python3 -c 'import secrets; print(secrets.token_urlsafe(24))' >"$state/users/$name.password"
  done
  cat >"$state/admin.properties" <<EOF
security.protocol=SASL_SSL
sasl.mechanisms=SCRAM-SHA-512
sasl.username=admin
sasl.password=$(<"$state/users/admin.password")
ssl.ca.location=$state/tls/ca.pem
EOF
  cat >"$state/admin-mtls.properties" <<EOF
security.protocol=SSL
ssl.ca.location=$state/tls/ca.pem
ssl.certificate.location=$state/tls/admin.pem
ssl.key.location=$state/tls/admin.key
EOF
}

# format's --add-scram arguments, one per line: a SCRAM-SHA-512 credential per principal.
scram_arguments() {
  local name
  for name in "${principals[@]}"; do
    printf -- '--add-scram\nSCRAM-SHA-512=[name=%s,password="%s"]\n' "$name" \
      "$(<"$state/users/$name.password")"
  done
}

# Starts the split cluster's controller in the background (its own session and process group,
# as the broker below) unless it runs already.
launch_controller() {
  [[ -f $state/controller.properties && -z $(controller_pid) ]] || return 0
  mkdir -p "$state/logs/controller"
  : >"$state/controller.out"
  setsid nohup java -Xms64m -Xmx192m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$here/log4j2.properties" -Dkafka.logs.dir="$state/logs/controller" \
    -cp "$lib/*" kafka.Kafka "$state/controller.properties" \
    >>"$state/controller.out" 2>&1 </dev/null &
  echo "$!" >"$state/controller.pid"
}

launch() {
  local heap=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} pid bootstrap deadline
  launch_controller
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

# Stops the broker, then a split cluster's controller.
stop_broker() {
  stop_process pid "$(broker_pid)"
  stop_process controller.pid "$(controller_pid)"
}

# stop_process PID_FILE PID: SIGTERM, up to stop_timeout, then SIGKILL to its process group.
stop_process() {
  local pid=$2 deadline
  if [[ -z $pid ]]; then
    rm -f "$state/$1"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + stop_timeout))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "broker.sh: process $pid ($1) still running after ${stop_timeout} s; SIGKILL" >&2
  fi
  kill_process "$1" "$pid"
}

# kill_process PID_FILE PID: SIGKILL to its process group (if it still runs), waits for it to go.
kill_process() {
  local pid=$2
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$state/$1"
}

# SIGKILL to the broker, as a crash or a lost machine would: no controlled shutdown. A split
# cluster's controller stays up and fences the broker.
kill_broker() { kill_process pid "$(broker_pid)"; }

cmd_start() {
  require_tools mvn
  "$here/fetch.sh"
  stop_broker  # a broker left over from an earlier run of this state dir
  # Remove only what this script creates: STATE_DIR may be a directory with other content.
  rm -rf "$state/data" "$state/logs" "$state/server.properties" "$state/bootstrap" \
    "$state/broker.out" "$state/format.out" "$state/bootstrap-mtls" "$state/tls" \
    "$state/users" "$state/admin.properties" "$state/admin-mtls.properties" \
    "$state/controller.properties" "$state/controller-data" "$state/controller.out"
  local ports port cport mport cluster_id scram=()
  ports=$(pick_ports)
  read -r port cport mport <<<"$ports"
  if [[ $secured == yes ]]; then
    require_tools openssl
    make_certificates
    make_users
    mapfile -t scram < <(scram_arguments)
    echo "127.0.0.1:$mport" >"$state/bootstrap-mtls"
  fi
  write_config "$port" "$cport" "$mport"
  echo "127.0.0.1:$port" >"$state/bootstrap"
  mkdir -p "$state/logs"
  local jvm=(java -Xmx256m -Dlog4j2.configurationFile="$here/log4j2.properties"
    -Dkafka.logs.dir="$state/logs" -cp "$lib/*" kafka.tools.StorageTool)
  cluster_id=$("${jvm[@]}" random-uuid 2>>"$state/format.out")
  # Static quorum (controller.quorum.voters is set): no --standalone, which is only for a
  # dynamic quorum configured with controller.quorum.bootstrap.servers.
  local config
  for config in "$state/controller.properties" "$state/server.properties"; do
    [[ -f $config ]] || continue
    "${jvm[@]}" format -t "$cluster_id" -c "$config" "${scram[@]}" \
      >>"$state/format.out" 2>&1 || { cat "$state/format.out" >&2; die "storage format failed"; }
  done
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

(($# == 2)) || [[ ${1:-} == acls ]] || usage
[[ -n ${2:-} ]] || usage
secured=no
split=no
if [[ $1 == start || $1 == start-secured || $1 == start-split ]]; then
  mkdir -p "$2"
elif [[ ! -d $2 ]]; then
  [[ $1 == stop || $1 == kill ]] && exit 0  # nothing was ever started there
  die "no state dir $2"
fi
state=$(cd "$2" && pwd)

case $1 in
  start) cmd_start ;;
  start-secured) secured=yes; cmd_start ;;
  start-split) split=yes; cmd_start ;;
  start-again) cmd_start_again ;;
  stop) stop_broker ;;
  kill) kill_broker ;;
  status) cmd_status ;;
  acls)
    (($# == 3)) || usage
    [[ -f $state/admin.properties ]] || die "$state holds no secured broker"
    java -cp "$lib/*" "$here/Acls.java" "$3" "$(<"$state/bootstrap")" "$state/admin.properties" ;;
  *) usage ;;
esac
