#!/usr/bin/env bash
# Installs the Python gRPC tools (grpcio, grpcio-tools for protoc's Python plugins, grpcio-status,
# protobuf) and Grafana's grafana-foundation-sdk at pinned versions into a virtual environment of
# their own, TOOLS_DIR/venv, for scripts/gen-python-stubs.sh, the Python examples and
# deploy/grafana/dashboards.py. `make deps` runs it.
#
# Usage: python-deps.sh [TOOLS_DIR]   (default: $TOOLS_DIR, else build/tools)
# Environment: TOOLS_PYTHON, the interpreter to build the venv from (default Debian's
#              /usr/bin/python3, with python3-venv, which scripts/deps.sh installs; not the
#              first python3 on PATH, which may be anyone's).
#
# Idempotent and quiet: a stamp in the venv records the interpreter and pins it was built with;
# when they change the venv is built anew, so it never holds a package that is no longer pinned.
set -euo pipefail

tools=${1:-${TOOLS_DIR:-build/tools}}
venv=$tools/venv
python=${TOOLS_PYTHON:-/usr/bin/python3}

# Every package the venv holds, with pip's own dependencies of these pinned too, so that two
# machines get the same venv. grpcio, grpcio-tools and grpcio-status move together; protobuf 7.x
# is what grpcio-tools 1.85 generates code for (it requires protobuf >=7.35.1,<8).
# grafana-foundation-sdk versions are <build epoch>!<Grafana version>: this is the newest build
# of the builders for Grafana 11.6 (classic dashboard JSON, which Grafana 11.6 and 12 load); it
# has no dependencies of its own.
pins=(
  grpcio==1.85.1
  grpcio-tools==1.85.1
  grpcio-status==1.85.1
  protobuf==7.36.2
  googleapis-common-protos==1.76.0
  setuptools==84.2.1
  typing_extensions==4.16.0
  'grafana-foundation-sdk==1769699379!11.6.0'
  PyYAML==6.0.4  # tests/system/monitor_test.py reads the rule files
)

if [[ ! -x "$python" ]]; then
  echo "python-deps: $python not found (run scripts/deps.sh, or set TOOLS_PYTHON)" >&2
  exit 1
fi

stamp="$venv/.referral-pins"
want="$("$python" -c 'import sys; print(sys.version.split()[0])') ${pins[*]}"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi

# Only ever remove a directory that is a venv.
if [[ -e "$venv" && ! -f "$venv/pyvenv.cfg" ]]; then
  echo "python-deps: $venv exists and is not a venv; remove it by hand" >&2
  exit 1
fi
echo "python-deps: installing ${pins[*]} into $venv"
rm -rf "$venv"
mkdir -p "$tools"
log=$(mktemp -t python-deps-XXXXXX)
trap 'rm -f "$log"' EXIT
if ! "$python" -m venv "$venv" >"$log" 2>&1 ||
  ! PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
    "$venv/bin/python" -m pip install --quiet "${pins[@]}" >>"$log" 2>&1 ||
  ! "$venv/bin/python" -m pip check >>"$log" 2>&1; then
  cat "$log" >&2
  echo "python-deps: failed; $venv is incomplete and will be rebuilt next time" >&2
  exit 1
fi
# Written last: its presence says the venv is complete.
echo "$want" >"$stamp"
echo "python-deps: done"
