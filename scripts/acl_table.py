#!/usr/bin/env python3
"""The Kafka ACLs of each principal as a Markdown table, from the Helm chart's KafkaUser resources
(helm/referral-gateway/templates/strimzi.yaml, the one place they are decided), rendered with the
default values, the default directory and topic names, a KafkaUser per service and the operator's,
and topics made by the services (so Create is included; with strimzi.topics.enabled it is not).

Usage: acl_table.py HELM [--write FILE | --check FILE]
  no option   print the table
  --write     replace the table between the <!-- acl-table --> markers of FILE
  --check     exit 1 when FILE's table is not the chart's (make chart-docs rewrites it)
"""
import subprocess
import sys
from pathlib import Path

import yaml

SOURCE = Path(__file__).resolve().parent.parent
CHART = SOURCE / "helm" / "referral-gateway"
BEGIN, END = "<!-- acl-table -->", "<!-- /acl-table -->"
ORDER = ["standardiser", "router", "feed", "intake", "monitor", "operator"]


def render(helm):
    result = subprocess.run(
        [helm, "template", "rg", str(CHART), "--kube-version", "1.31.0", "--show-only",
         "templates/strimzi.yaml", "--set", "strimzi.cluster=kafka",
         "--set", "strimzi.users.enabled=true", "--set", "strimzi.users.operator.enabled=true",
         "--set", "kafka.properties.security\\.protocol=SASL_SSL"],
        capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        sys.exit(f"acl_table: helm template failed:\n{result.stderr}")
    return [d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] == "KafkaUser"]


def table(users):
    rows = ["| principal | resource | pattern | operations | names |", "|---|---|---|---|---|"]
    by_principal = {u["metadata"]["labels"]["app.kubernetes.io/component"]: u for u in users}
    for principal in sorted(by_principal, key=lambda p: ORDER.index(p) if p in ORDER else 99):
        grouped = {}
        for acl in by_principal[principal]["spec"]["authorization"]["acls"]:
            r = acl["resource"]
            key = (r["type"], r.get("patternType", "literal"), ", ".join(acl["operations"]))
            grouped.setdefault(key, []).append(r.get("name", "(cluster)"))
        for (kind, pattern, operations), names in grouped.items():
            shown = ", ".join(f"`{n}`" for n in names)
            rows.append(f"| {principal} | {kind} | {pattern} | {operations} | {shown} |")
    return "\n".join(rows) + "\n"


def main():
    helm = sys.argv[1]
    text = table(render(helm))
    if len(sys.argv) == 2:
        print(text, end="")
        return
    mode, path = sys.argv[2], Path(sys.argv[3])
    doc = path.read_text()
    start, end = doc.index(BEGIN) + len(BEGIN), doc.index(END)
    if mode == "--write":
        path.write_text(doc[:start] + "\n" + text + doc[end:])
    elif doc[start:end] != "\n" + text:
        sys.exit(f"acl_table: the ACL table in {path} is not the chart's: run `make chart-docs`")


if __name__ == "__main__":
    main()
