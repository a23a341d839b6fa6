#!/usr/bin/env bash
# Test of check_layers.py: a clean tree passes; each kind of broken include fails it, naming the
# file. Usage: check_layers_test.sh CHECK_LAYERS_PY
set -euo pipefail
check=${1:?usage: check_layers_test.sh CHECK_LAYERS_PY}
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/services/common/"{core,config,observe,messaging,kafka,grpc,service} \
  "$tree/services/feed/core"
write() { printf '#include "%s"\n' "$2" >"$tree/services/$1"; }
reset() {
  rm -f "$tree"/services/*/*.cc "$tree"/services/*/*/*.cc
  write common/core/a.cc "absl/status/status.h"
  write common/kafka/a.cc "services/common/messaging/record.h"
  write common/service/a.cc "services/common/kafka/kafka_settings.h"
  write feed/core/a.cc "services/common/core/codec.h"
  write feed/a.cc "services/common/service/service.h"
}
expect_pass() {
  python3 "$check" "$tree/services" || { echo "FAIL: a clean tree was refused"; exit 1; }
}
expect_fail() {  # what, file, include
  reset
  write "$2" "$3"
  if python3 "$check" "$tree/services" 2>"$tree/err"; then echo "FAIL: $1 passed"; exit 1; fi
  grep -q "$2" "$tree/err" || { echo "FAIL: $1: the error does not name $2"; cat "$tree/err"; exit 1; }
}
reset
expect_pass
# A core may compose another service's core (the intake's uses the standardiser's and router's).
write feed/core/b.cc "services/router/core/route.h"
expect_pass
# A standard header is refused by its name, not by a word in another library's path.
reset
write common/core/b.cc "absl/base/thread_annotations.h"
expect_pass
expect_fail "observe including kafka" common/observe/b.cc services/common/kafka/kafka_settings.h
expect_fail "messaging including service" common/messaging/b.cc services/common/service/service.h
expect_fail "kafka including grpc" common/kafka/b.cc services/common/grpc/grpc_metrics.h
expect_fail "grpc including kafka" common/grpc/b.cc services/common/kafka/record.h
expect_fail "messaging including librdkafka" common/messaging/b.cc librdkafka/rdkafkacpp.h
expect_fail "observe including grpc" common/observe/b.cc grpcpp/grpcpp.h
expect_fail "a core including a thread" common/core/b.cc thread
expect_fail "a core including a clock" common/core/b.cc chrono
expect_fail "a core including config" feed/core/b.cc services/common/config/setup.h
expect_fail "common including a service" common/kafka/b.cc services/feed/app.h
expect_fail "a service core including its shell" feed/core/b.cc services/feed/app.h
expect_fail "a service core including another's shell" feed/core/b.cc services/router/app.h
echo "check_layers_test: 3 passed, 0 failed (12 broken trees refused)"
