#!/usr/bin/env bash
# Checks deploy/prometheus with the real promtool: the config and the rule files load, the rule
# unit tests pass, and every alert is complete, documented and tested
# (check_prometheus_rules.py). Usage: check_prometheus.sh SOURCE_DIR (CTest `prometheus_rules`).
set -euo pipefail

src=${1:?usage: check_prometheus.sh SOURCE_DIR}
cd "$src"

if ! command -v promtool >/dev/null 2>&1; then
  echo "check_prometheus: promtool not found; it comes with Debian's prometheus package" \
       "(scripts/deps.sh installs it: apt-get install --no-install-recommends prometheus)" >&2
  exit 1
fi
if ! python3 -c 'import yaml' >/dev/null 2>&1; then
  echo "check_prometheus: python3 cannot import yaml; install python3-yaml (scripts/deps.sh)" >&2
  exit 1
fi

set -x
promtool --version | head -1
promtool check config deploy/prometheus/prometheus.yml
promtool check rules deploy/prometheus/rules/*.yaml deploy/prometheus/tests/fixtures/*.yaml
promtool test rules deploy/prometheus/tests/*.yaml
python3 tests/deploy/check_prometheus_rules.py .
