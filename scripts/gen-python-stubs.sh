#!/usr/bin/env bash
# Generates the Python protobuf and gRPC stubs of every .proto under proto/ into OUT_DIR, as the
# packages `referral.v1` and `referral.config.v1`: with OUT_DIR on sys.path,
# `from referral.v1 import feed_pb2, feed_pb2_grpc` works. Also writes .pyi type stubs.
#
# Usage: gen-python-stubs.sh OUT_DIR
# Environment: PYTHON, the interpreter with grpcio-tools (default: the venv that
#              scripts/python-deps.sh makes, $TOOLS_DIR/venv, TOOLS_DIR defaulting to build/tools).
#
# Idempotent: a generated file whose content has not changed is left alone (its time stamp too);
# stubs of a .proto that no longer exists are not removed.
# The stubs need the runtime of the same versions (protobuf, grpcio) at import time: run their
# users with the same venv.
set -euo pipefail

out=${1:?usage: gen-python-stubs.sh OUT_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-${TOOLS_DIR:-$root/build/tools}/venv/bin/python}
# protoc runs from proto/, so a relative path to the interpreter must be made absolute.
if [[ "$python" == */* && -d "$(dirname "$python")" ]]; then
  python="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")"
fi

if ! "$python" -c 'import grpc_tools.protoc' 2>/dev/null; then
  echo "gen-python-stubs: $python has no grpc_tools; run \`make deps\` (scripts/python-deps.sh)" >&2
  exit 1
fi

mapfile -t protos < <(cd "$root/proto" && find . -name '*.proto' -printf '%P\n' | LC_ALL=C sort)
if ((${#protos[@]} == 0)); then
  echo "gen-python-stubs: no .proto under $root/proto" >&2
  exit 1
fi

work=$(mktemp -d -t gen-python-stubs-XXXXXX)
trap 'rm -rf "$work"' EXIT

# grpc_tools adds its own copy of google/protobuf/*.proto to the include path; googleapis'
# google/rpc/*.proto (installed with grpcio-status) is added too, for a contract that uses them.
googleapis=$("$python" -c 'import os, google.rpc
print(os.path.dirname(os.path.dirname(list(google.rpc.__path__)[0])))')
(cd "$root/proto" && "$python" -m grpc_tools.protoc -I . -I "$googleapis" \
  --python_out="$work" --pyi_out="$work" --grpc_python_out="$work" "${protos[@]}")

# Every folder that holds a module becomes a package.
find "$work" -type d -exec touch {}/__init__.py \;
rm -f "$work/__init__.py"

# Copy in what changed only, so that an unchanged stub keeps its time stamp.
mkdir -p "$out"
(cd "$work" && find . -type f -printf '%P\n') | while read -r f; do
  if ! cmp -s "$work/$f" "$out/$f"; then
    mkdir -p "$(dirname "$out/$f")"
    cp "$work/$f" "$out/$f.tmp.$$"
    mv "$out/$f.tmp.$$" "$out/$f"
  fi
done
