#!/usr/bin/env bash
# Runs every libFuzzer target for a short time on its seed corpus: the committed seeds plus the
# sample incidents, JOBS targets at a time (default: the number of cores). Usage: run.sh BIN_DIR
# SECONDS. Fails on any crash or sanitizer report, showing that target's log.
set -euo pipefail
bin=${1:?usage: run.sh BIN_DIR SECONDS}
seconds=${2:-20}
parallel=${JOBS:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_one() {
  local target=$1 name
  name=$(basename "$target")
  # Each target grows a corpus of its own from the same seeds.
  mkdir -p "$work/$name/corpus"
  cp "$here"/corpus/* "$here"/../data/incidents/*.incident.json "$work/$name/corpus/"
  if "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$name/" "$work/$name/corpus" >"$work/$name/log" 2>&1; then
    echo "fuzz: $name for ${seconds}s: $(grep -E 'stat::number_of_executed_units' "$work/$name/log")"
  else
    tail -50 "$work/$name/log"
    echo "fuzz: $name FAILED" >&2
    touch "$work/$name.failed"
  fi
}

for target in "$bin"/*_fuzz; do
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
  run_one "$target" &
done
wait
if compgen -G "$work/*.failed" >/dev/null; then exit 1; fi
