#!/usr/bin/env bash
# Runs every libFuzzer target for a short time on its seed corpus: the committed seeds plus the
# sample incidents. Usage: run.sh BIN_DIR SECONDS. Fails on any crash or sanitizer report.
set -euo pipefail
bin=${1:?usage: run.sh BIN_DIR SECONDS}
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cp "$here"/corpus/* "$here"/../data/incidents/*.incident.json "$work/corpus/"
for target in "$bin"/*_fuzz; do
  echo "fuzz: $(basename "$target") for ${seconds}s"
  "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1 || {
    tail -50 "$work/log"
    echo "fuzz: $(basename "$target") FAILED" >&2
    exit 1
  }
  grep -E "stat::number_of_executed_units|cov:" "$work/log" | tail -2
done
