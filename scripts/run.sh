#!/usr/bin/env bash
# `make run`: standardises and routes every sample incident in tests/data/incidents with
# referralctl and shows what would be delivered where, with the quality issues found.
# Usage: run.sh BIN_DIR   (AT=2026-11-27T18:30:00Z make run  routes at a chosen moment)
set -euo pipefail
bin=${1:?usage: run.sh BIN_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
at=${AT:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
ctl="$bin/referralctl"

echo "Routing the sample incidents at $at (Europe/London office hours, England and Wales bank holidays)"
echo
deliveries=$(mktemp)
trap 'rm -f "$deliveries"' EXIT
for incident in "$root"/tests/data/incidents/*.incident.json; do
  name=$(basename "$incident" .incident.json)
  echo "== $name"
  # Invalid samples exit 2 on purpose: show their errors and carry on.
  "$ctl" route --summary --at "$at" "$incident" 2>&1 | tee -a "$deliveries" | sed 's/^/   /' || true
done
echo
echo "Deliveries by topic:"
grep -oE -- '-> [^ ]+' "$deliveries" | sort | uniq -c | sed 's/-> //' | sort -k2
echo
echo "Quality issues found (per referral, not per copy):"
grep -E '^referral ' "$deliveries" | sort -u -k2,2 | grep -oE 'issues: .*' | sed 's/issues: //' |
  tr ',' '\n' | sed 's/^ *//' | grep -v '^none$' | sort | uniq -c | sort -rn
echo
echo "Try: $ctl route --la E06000023 --at 2026-12-25T10:00:00Z"
echo "     $ctl calendar --la E06000066 --from 2026-12-20 --days 14"
