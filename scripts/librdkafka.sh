#!/usr/bin/env bash
# Puts librdkafka 2.16.0 at TOOLS_DIR/librdkafka/librdkafka.so.1, for the services to load in place
# of Debian's 2.0.2 (three years of transaction and protocol fixes; tests/benchmarks/README.md
# has what it changed). No registry serves a newer librdkafka as a Debian package, so this takes
# the one Confluent builds into its Python client's wheel on PyPI (confluent-kafka, manylinux):
# self-contained (it needs only glibc), the same soname as Debian's, so the binaries, compiled
# against Debian's headers (the C API is backward compatible), load it through their RPATH
# (CMakeLists.txt, REFERRAL_RDKAFKA_LIBRARY). The wheel is pinned by version and SHA-256.
#
# Usage: librdkafka.sh [TOOLS_DIR]   (default: $TOOLS_DIR, else build/tools). `make deps` runs it;
# idempotent and quiet once done. Needs curl and python3 (scripts/deps.sh --build-only).
set -euo pipefail

readonly wheel=confluent_kafka-2.16.1-cp311-cp311-manylinux_2_28_x86_64.whl
readonly sha256=24f613cc81a856b6fbb2d7d11044a9aa770044eecc1f83ff84618688b056be06
readonly version=2.16.0  # the librdkafka inside it
tools=${1:-${TOOLS_DIR:-build/tools}}
out=$tools/librdkafka
stamp=$out/.wheel
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wheel $sha256" && -f "$out/librdkafka.so.1" ]]; then
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# PyPI's simple index (PEP 691, JSON) names the file's URL; the pinned hash is what is trusted.
url=$(curl -fsS -H "Accept: application/vnd.pypi.simple.v1+json" \
        https://pypi.org/simple/confluent-kafka/ | python3 -c '
import json, sys
wanted = sys.argv[1]
print(next(f["url"] for f in json.load(sys.stdin)["files"] if f["filename"] == wanted))' "$wheel")
echo "librdkafka: fetching librdkafka $version from $wheel"
curl -fsS -o "$work/$wheel" "$url"
echo "$sha256  $work/$wheel" | sha256sum --check --quiet
python3 - "$work/$wheel" "$work" <<'PY'
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    [library] = [n for n in z.namelist() if n.startswith("confluent_kafka.libs/librdkafka-")]
    open(f"{out}/librdkafka.so.1", "wb").write(z.read(library))
    [license_] = [n for n in z.namelist() if n.endswith("licenses/LICENSE")]
    open(f"{out}/LICENSE.confluent-kafka", "wb").write(z.read(license_))
PY
got=$(python3 -c 'import ctypes, sys
library = ctypes.CDLL(sys.argv[1])
library.rd_kafka_version_str.restype = ctypes.c_char_p
print(library.rd_kafka_version_str().decode())' "$work/librdkafka.so.1")
[[ "$got" == "$version" ]] ||
  { echo "librdkafka: the wheel holds librdkafka $got, not $version" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out"
install -m 0644 "$work/librdkafka.so.1" "$work/LICENSE.confluent-kafka" "$out/"
echo "$wheel $sha256" > "$stamp"
