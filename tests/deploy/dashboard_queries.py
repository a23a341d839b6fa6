"""The PromQL queries of the committed Grafana dashboards (deploy/grafana/dashboards/*.json).

    from dashboard_queries import expressions
    for expr in expressions():          # Grafana's variables replaced: ready for a live Prometheus
        ...GET /api/v1/query?query=expr...

queries() gives each query with where it comes from; expressions() just the PromQL, with the
dashboards' variables replaced as a live Prometheus needs them (SUBSTITUTIONS): every LA and
source system, every gateway job, and fixed intervals for Grafana's $__rate_interval, $__range
and $__interval. Standard library only.
"""

import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"

# Grafana variable -> what a live Prometheus query gets instead. The "All" values are the
# variables' allValue (.* for la and source_system, referral-.* for job).
SUBSTITUTIONS = {
    "la": ".*",
    "source_system": ".*",
    "job": "referral-.*",
    "__rate_interval": "1m",
    "__range": "1h",
    "__interval": "15s",
}

# $name, ${name} and ${name:format}; Grafana's old [[name]] is not used by the generator.
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)")


def dashboard_files(directory=DASHBOARDS):
    return sorted(pathlib.Path(directory).glob("*.json"))


def load(directory=DASHBOARDS):
    """[(path, dashboard dict)] of every dashboard in the directory."""
    return [(path, json.loads(path.read_text(encoding="utf-8")))
            for path in dashboard_files(directory)]


def panels(dashboard):
    """Every panel of a dashboard, rows' nested panels (collapsed rows) included, rows too."""
    def walk(items):
        for panel in items or []:
            yield panel
            yield from walk(panel.get("panels"))
    yield from walk(dashboard.get("panels"))


def queries(directory=DASHBOARDS):
    """Every query target as a dict: file, uid (dashboard), panel_id, title, ref_id, expr,
    legend and instant, expr exactly as in the JSON (Grafana variables in it)."""
    out = []
    for path, dashboard in load(directory):
        for panel in panels(dashboard):
            for target in panel.get("targets") or []:
                out.append({
                    "file": path.name,
                    "uid": dashboard.get("uid"),
                    "panel_id": panel.get("id"),
                    "title": panel.get("title"),
                    "ref_id": target.get("refId"),
                    "expr": target.get("expr", ""),
                    "legend": target.get("legendFormat", ""),
                    "instant": bool(target.get("instant")),
                })
    return out


def substitute(expr):
    """expr with the dashboards' Grafana variables replaced (SUBSTITUTIONS). Raises KeyError on
    a variable it does not know: a new variable needs a live value here."""
    def value(match):
        name = match.group(1) or match.group(2)
        if name not in SUBSTITUTIONS:
            raise KeyError(f"no live value for Grafana variable ${name} in: {expr}")
        return SUBSTITUTIONS[name]
    return _VARIABLE.sub(value, expr)


def expressions(directory=DASHBOARDS):
    """Every PromQL expression of the dashboards, variables substituted, in dashboard order."""
    return [substitute(query["expr"]) for query in queries(directory)]


if __name__ == "__main__":
    for expression in expressions():
        print(expression)
