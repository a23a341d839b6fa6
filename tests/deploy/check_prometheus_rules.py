#!/usr/bin/env python3
"""What promtool does not check in deploy/prometheus. Usage: check_prometheus_rules.py SOURCE_DIR

- every alert has labels.severity (critical or warning) and annotations summary, description
  and runbook_url; the runbook_url is docs/runbooks.md on GitHub with an anchor that is a
  heading of docs/runbooks.md, and every alert-named heading there belongs to an alert;
- every alert has an alert_rule_test in deploy/prometheus/tests/*.yaml where it fires and one
  where it does not;
- every recording rule is queried by a promql_expr_test, and no two recording rules make the
  same series (same name and labels: an LA's threshold overridden twice).
Prints every problem found, exit status 1 if any.
"""
import glob
import os
import re
import sys

import yaml

RUNBOOK_URL = "https://github.com/referral-gateway/referral-gateway/blob/main/docs/runbooks.md#"
SEVERITIES = {"critical", "warning"}


def github_anchor(heading):
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "."
    prom = os.path.join(src, "deploy", "prometheus")
    problems = []

    alerts, records = {}, []
    rule_files = sorted(glob.glob(os.path.join(prom, "rules", "*.yaml")))
    fixtures = sorted(glob.glob(os.path.join(prom, "tests", "fixtures", "*.yaml")))
    if not rule_files:
        problems.append(f"no rule files in {prom}/rules")
    for path in rule_files + fixtures:
        for group in load(path).get("groups", []):
            for rule in group.get("rules", []):
                if "alert" in rule:
                    if path in fixtures:
                        problems.append(f"{path}: alert {rule['alert']} in a test fixture")
                    elif rule["alert"] in alerts:
                        problems.append(f"{path}: alert {rule['alert']} defined twice")
                    alerts[rule["alert"]] = (path, rule)
                else:
                    records.append((path, rule))

    headings = {}
    runbooks = os.path.join(src, "docs", "runbooks.md")
    in_code = False
    with open(runbooks, encoding="utf-8") as f:
        for line in f:
            if line.startswith("```"):
                in_code = not in_code
            m = None if in_code else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
            if m:
                headings[github_anchor(m.group(1))] = m.group(1)

    for name, (path, rule) in sorted(alerts.items()):
        where = f"{os.path.relpath(path, src)}: {name}"
        severity = (rule.get("labels") or {}).get("severity")
        if severity not in SEVERITIES:
            problems.append(f"{where}: labels.severity is {severity!r}, not one of {sorted(SEVERITIES)}")
        annotations = rule.get("annotations") or {}
        for key in ("summary", "description", "runbook_url"):
            if not str(annotations.get(key, "")).strip():
                problems.append(f"{where}: no annotations.{key}")
        url = annotations.get("runbook_url", "")
        if url:
            if not url.startswith(RUNBOOK_URL):
                problems.append(f"{where}: runbook_url {url} does not start with {RUNBOOK_URL}")
            else:
                anchor = url[len(RUNBOOK_URL):]
                if anchor not in headings:
                    problems.append(f"{where}: runbook_url anchor #{anchor} is no heading of docs/runbooks.md")
                if anchor != github_anchor(name):
                    problems.append(f"{where}: runbook_url anchor #{anchor} is not the alert's own (#{github_anchor(name)})")
    alert_anchors = {github_anchor(a) for a in alerts}
    for anchor, heading in sorted(headings.items()):
        if re.fullmatch(r"Referral[A-Za-z]+", heading) and anchor not in alert_anchors:
            problems.append(f"docs/runbooks.md: section {heading} is for no alert in deploy/prometheus/rules")

    firing, quiet, queried = set(), set(), []
    test_files = sorted(glob.glob(os.path.join(prom, "tests", "*.yaml")))
    for path in test_files:
        for test in load(path).get("tests", []) or []:
            for case in test.get("alert_rule_test", []) or []:
                (firing if case.get("exp_alerts") else quiet).add(case.get("alertname"))
            for case in test.get("promql_expr_test", []) or []:
                queried.append(str(case.get("expr", "")))
    for name in sorted(alerts):
        if name not in firing:
            problems.append(f"{name}: no alert_rule_test in deploy/prometheus/tests where it fires")
        if name not in quiet:
            problems.append(f"{name}: no alert_rule_test in deploy/prometheus/tests where it does not fire")

    seen = {}
    for path, rule in records:
        name = rule["record"]
        key = (name, tuple(sorted((rule.get("labels") or {}).items())))
        if key in seen:
            problems.append(f"{os.path.relpath(path, src)}: recording rule {name} {dict(key[1])} "
                            f"already made by {os.path.relpath(seen[key], src)}")
        seen[key] = path
        if path not in fixtures and not any(re.search(re.escape(name) + r"(?![\w:])", e) for e in queried):
            problems.append(f"recording rule {name}: no promql_expr_test queries it")

    for p in problems:
        print(f"check_prometheus_rules: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_prometheus_rules: {len(alerts)} alerts complete, documented and tested; "
          f"{sum(p not in fixtures for p, _ in records)} recording rules queried by a test")
    return 0


if __name__ == "__main__":
    sys.exit(main())
