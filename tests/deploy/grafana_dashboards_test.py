#!/usr/bin/env python3
"""Structure of the committed Grafana dashboards (deploy/grafana/dashboards/*.json).

    grafana_dashboards_test.py [DASHBOARD_DIR]      (default: the committed dashboards)

Checks, and prints every violation before failing:
- both dashboards are there, with unique uids; panel ids unique within each dashboard;
- a `datasource` variable (type datasource, query prometheus); the consistency dashboard's `la`
  and `source_system` variables (label_values of the monitor's referrals, multi, include all)
  and the operations dashboard's `job` variable, each querying `${datasource}`;
- every panel (rows' nested panels too) reads `${datasource}`, and so does every query; every
  panel has a unit (fieldConfig.defaults.unit) and a description, and at least one query;
- every query parses into known metrics (the monitor's contract, services/monitor/README.md;
  the operational metrics of services/; the recording rules of
  deploy/prometheus/rules/consistency.yaml) with matchers only on labels each metric has;
- every consistency query on a metric with `la` / `source_system` filters `la=~"$la"` /
  `source_system=~"$source_system"`; every operations query on a gateway metric `job=~"$job"`;
- no label outside ALLOWED_LABELS in any matcher, grouping, legend or table column: a label
  that is not in a closed set could carry personal data (DOMAIN.md §5);
- every query has a live form (dashboard_queries.expressions()) with no Grafana variable left;
- when deploy/prometheus/rules/ has rule files, each recording rule used is recorded there.
"""

import pathlib
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import dashboard_queries  # noqa: E402

ROOT = dashboard_queries.ROOT
RULES = ROOT / "deploy" / "prometheus" / "rules"
CONSISTENCY, OPERATIONS = "referral-consistency", "gateway-operations"
DATASOURCE = "${datasource}"

# Labels from closed sets (services/monitor/README.md, services/**/metrics.cc, Prometheus's
# target labels). Anything else fails: names, dates, free text or identifiers must never become
# a label, a legend or a table column.
ALLOWED_LABELS = {
    "la", "window", "source_system", "urgency", "issue", "queue", "queue_kind", "outcome",
    "reason", "field", "job", "instance", "topic", "le", "result", "code", "method", "service",
    "partition", "kind",
    # What the services' operational metrics also use: Kafka error class, the intake's client
    # system (from its certificate and grant), the router's rule id, the build's version, the
    # transactional loop's phase.
    "class", "client", "rule", "version", "phase",
}

# Labels Prometheus adds to every scraped series.
TARGET_LABELS = {"job", "instance"}

# metric -> its own labels (histograms: the family name; _bucket adds le).
MONITOR = {
    "referral_monitor_referrals_total": {"la", "window", "source_system", "urgency"},
    "referral_monitor_referral_updates_total": {"la", "window", "source_system"},
    "referral_monitor_referral_completeness_ratio": {"la", "window", "source_system"},
    "referral_monitor_quality_issues_total": {"la", "window", "source_system", "issue"},
    "referral_monitor_children_total": {"la", "window", "source_system"},
    "referral_monitor_children_spoken_to_total": {"la", "window", "source_system"},
    "referral_monitor_children_views_recorded_total": {"la", "window", "source_system"},
    "referral_monitor_resident_children_total": {"la", "window", "source_system"},
    "referral_monitor_household_children_listed_total": {"la", "window", "source_system"},
    "referral_monitor_no_police_action_total": {"la", "window", "source_system"},
    "referral_monitor_unrecognised_values_total": {"la", "source_system", "field"},
    "referral_monitor_incident_to_referral_seconds": {"la", "window", "source_system"},
    "referral_monitor_acknowledgement_seconds": {"la", "window", "queue_kind", "urgency"},
    "referral_monitor_acknowledged_within_one_working_day_total":
        {"la", "window", "queue_kind", "urgency"},
    "referral_monitor_decisions_total": {"la", "queue_kind", "outcome"},
    "referral_monitor_standardised_total": {"source_system"},
    "referral_monitor_dead_letters_total": {"reason"},
    "referral_monitor_unmatched_acknowledgements_total": {"queue_kind"},
    "referral_monitor_undecodable_records_total": {"topic"},
    "referral_monitor_unacknowledged_referrals": {"la", "queue", "queue_kind", "urgency"},
    "referral_monitor_oldest_unacknowledged_seconds": {"la", "queue", "queue_kind", "urgency"},
    "referral_monitor_overdue_unacknowledged_referrals": {"la", "queue", "queue_kind"},
}
OPERATIONAL = {
    "up": set(),
    "referral_ready": set(),
    "referral_build_info": {"service", "version"},
    "referral_records_consumed_total": {"topic"},
    "referral_records_committed_total": {"topic"},
    "referral_records_produced_total": {"topic"},
    "referral_records_skipped_total": {"topic"},
    "referral_transactions_total": {"outcome"},
    "referral_kafka_errors_total": {"class"},
    "referral_kafka_producers_replaced_total": set(),
    "referral_transaction_commit_seconds": set(),
    "referral_record_processing_seconds": set(),
    "referral_loop_seconds_total": {"phase"},
    "referral_assigned_partitions": set(),
    "referral_consumer_lag_records": {"topic"},
    "referral_stalled_partitions": set(),
    "referral_oldest_uncommitted_input_seconds": set(),
    "referral_dead_letters_total": {"reason"},
    "referral_grpc_requests_total": {"method", "code"},
    "referral_grpc_request_seconds": {"method"},
    "referral_grpc_active_streams": {"method"},
    "referral_feed_deliveries_total": {"queue", "kind"},
    "referral_feed_acknowledgements_total": {"queue"},
    "referral_feed_duplicates_skipped_total": {"queue"},
    "referral_feed_refusals_total": {"method", "reason"},
    "referral_feed_decisions_total": {"outcome"},
    "referral_feed_open_streams": {"queue"},
    "referral_feed_oldest_unacknowledged_seconds": {"queue"},
    "referral_intake_submissions_total": {"client", "outcome"},
    "referral_intake_violations_total": {"field"},
    "referral_intake_publish_seconds": set(),
    "referral_incidents_total": {"outcome"},
    "referral_incidents_skipped_total": {"reason"},
    "referral_referrals_standardised_total": set(),
    "referral_quality_issues_total": {"issue"},
    "referral_unrecognised_values_total": {"field"},
    "referral_referrals_routed_total": {"la", "window", "rule"},
}
HISTOGRAMS = {
    "referral_monitor_referral_completeness_ratio", "referral_monitor_incident_to_referral_seconds",
    "referral_monitor_acknowledgement_seconds", "referral_transaction_commit_seconds",
    "referral_record_processing_seconds", "referral_grpc_request_seconds",
    "referral_intake_publish_seconds",
}
# The recording rules of deploy/prometheus/rules/consistency.yaml: exactly their labels (no
# target labels: they aggregate them away).
RECORDING_RULES = {
    "la_source_system:referral_monitor_completeness:mean7d": {"la", "source_system"},
    "la_source_system:referral_monitor_children_spoken_to:ratio7d": {"la", "source_system"},
    "la_source_system:referral_monitor_children_views_recorded:ratio7d": {"la", "source_system"},
    "la_source_system:referral_monitor_children_identified:ratio7d": {"la", "source_system"},
    "la_source_system:referral_monitor_no_police_action:ratio7d": {"la", "source_system"},
    "la_source_system_issue:referral_monitor_quality_issues:ratio7d":
        {"la", "source_system", "issue"},
    "la_source_system:referral_monitor_out_of_hours:ratio7d": {"la", "source_system"},
    "la_queue_kind:referral_monitor_acknowledged_within_one_working_day:ratio7d":
        {"la", "queue_kind"},
    "la_queue_kind:referral_monitor_acknowledgement_seconds:p50_7d": {"la", "queue_kind"},
    "la_queue_kind:referral_monitor_acknowledgement_seconds:p90_7d": {"la", "queue_kind"},
}


def metric_labels(name):
    """The labels a series of `name` can carry, or None for an unknown metric."""
    if name in RECORDING_RULES:
        return set(RECORDING_RULES[name])
    for family in HISTOGRAMS:
        for suffix, extra in (("_bucket", {"le"}), ("_sum", set()), ("_count", set())):
            if name == family + suffix:
                return (MONITOR.get(family) or OPERATIONAL.get(family)) | extra | TARGET_LABELS
    if name in HISTOGRAMS:
        return None  # a histogram is queried through _bucket, _sum or _count
    labels = MONITOR.get(name, OPERATIONAL.get(name))
    return None if labels is None else labels | TARGET_LABELS


# ------------------------------------------------------------------------------------------------
# A small PromQL lexer: enough to find every vector selector, its matchers, and every label a
# query groups by. Anything it does not understand is an error, not a pass.

AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
                "bottomk", "topk", "quantile", "limitk", "limit_ratio"}
FUNCTIONS = {
    "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
    "day_of_month", "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp",
    "floor", "histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile",
    "histogram_stddev", "histogram_stdvar", "histogram_sum", "holt_winters", "hour", "idelta",
    "increase", "irate", "label_join", "label_replace", "ln", "log10", "log2", "minute", "month",
    "predict_linear", "rate", "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sqrt",
    "time", "timestamp", "vector", "year", "avg_over_time", "min_over_time", "max_over_time",
    "sum_over_time", "count_over_time", "quantile_over_time", "stddev_over_time",
    "stdvar_over_time", "last_over_time", "present_over_time", "acos", "asin", "atan", "cos",
    "sin", "tan", "deg", "rad", "pi",
}
# Functions and aggregations that make labels out of strings: the allow-list could not see them.
LABEL_MAKERS = {"label_join", "label_replace", "count_values"}
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "atan2"}

TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<range>\[[^\]]*\])
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<op>=~|!~|!=|==|>=|<=|[-+*/%^(){},=<>@])
""", re.VERBOSE)


class PromQLError(ValueError):
    pass


def tokens(expr):
    out, position = [], 0
    while position < len(expr):
        match = TOKEN.match(expr, position)
        if not match:
            raise PromQLError(f"cannot read {expr[position:position + 20]!r}")
        position = match.end()
        if match.lastgroup != "space":
            out.append((match.lastgroup, match.group()))
    return out


def parse(expr):
    """(selectors, grouping labels): selectors as [(metric, [(label, op, value)])]."""
    toks = tokens(expr)
    selectors, grouping = [], []
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        following = toks[i + 1][1] if i + 1 < len(toks) else None
        if kind == "ident" and text in GROUPING:
            if following != "(":
                if text in ("group_left", "group_right"):
                    i += 1
                    continue
                raise PromQLError(f"{text} without a label list")
            j = i + 2
            while toks[j][1] != ")":
                if toks[j][0] == "ident":
                    grouping.append(toks[j][1])
                elif toks[j][1] != ",":
                    raise PromQLError(f"unexpected {toks[j][1]!r} in {text}(...)")
                j += 1
            i = j + 1
            continue
        if kind == "ident" and text in LABEL_MAKERS:
            raise PromQLError(f"{text} makes labels out of strings; the allow-list cannot check it")
        if kind == "ident" and (text in AGGREGATIONS or text in FUNCTIONS or text in KEYWORDS):
            i += 1
            continue
        if kind == "ident" or text == "{":
            metric = text if kind == "ident" else None
            matchers = []
            j = i + 1 if kind == "ident" else i
            if j < len(toks) and toks[j][1] == "{":
                j += 1
                while toks[j][1] != "}":
                    if toks[j][1] == ",":
                        j += 1
                        continue
                    label, op, value = toks[j], toks[j + 1], toks[j + 2]
                    if label[0] != "ident" or op[1] not in ("=", "!=", "=~", "!~") \
                            or value[0] != "string":
                        raise PromQLError(f"bad matcher near {label[1]!r}")
                    matchers.append((label[1], op[1], value[1][1:-1]))
                    j += 3
                j += 1
            if metric is None:
                raise PromQLError("selector without a metric name")
            selectors.append((metric, matchers))
            i = j
            continue
        i += 1
    return selectors, grouping


LEGEND_LABEL = re.compile(r"\{\{\s*([^}\s]+)\s*\}\}")


# ------------------------------------------------------------------------------------------------


def check(directory):
    problems = []

    def problem(where, message):
        problems.append(f"{where}: {message}")

    loaded = dashboard_queries.load(directory)
    uids = [dashboard.get("uid") for _, dashboard in loaded]
    for uid in {CONSISTENCY, OPERATIONS} - set(uids):
        problem(directory, f"no dashboard with uid {uid}")
    for uid in {uid for uid in uids if uids.count(uid) > 1}:
        problem(directory, f"dashboard uid {uid} used {uids.count(uid)} times")

    used_rules = set()
    for path, dashboard in loaded:
        uid = dashboard.get("uid")
        variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
        source = variables.get("datasource", {})
        if source.get("type") != "datasource" or source.get("query") != "prometheus":
            problem(path.name, "no `datasource` variable of type datasource, query prometheus")
        wanted = {CONSISTENCY: ("la", "source_system"), OPERATIONS: ("job",)}.get(uid, ())
        for name in wanted:
            variable = variables.get(name, {})
            query = variable.get("query") if isinstance(variable.get("query"), str) else ""
            if (variable.get("type") != "query" or not variable.get("multi")
                    or not variable.get("includeAll")
                    or (variable.get("datasource") or {}).get("uid") != DATASOURCE
                    or not query.startswith("label_values(")
                    or not query.rstrip(")").endswith(f", {name}")):
                problem(path.name, f"variable `{name}` must be a multi, include-all "
                                   f"label_values(..., {name}) query on {DATASOURCE}")
        if uid == CONSISTENCY and "la" in variables and \
                not str(variables["la"].get("query", "")).startswith(
                    "label_values(referral_monitor_referrals_total"):
            problem(path.name, "`la` must list the LAs of referral_monitor_referrals_total")

        ids = []
        for panel in dashboard_queries.panels(dashboard):
            where = f"{path.name} panel {panel.get('id')} {panel.get('title')!r}"
            ids.append(panel.get("id"))
            if panel.get("type") == "row":
                continue
            if (panel.get("datasource") or {}).get("uid") != DATASOURCE:
                problem(where, f"datasource is not {DATASOURCE}")
            unit = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit")
            if not unit:
                problem(where, "no unit (fieldConfig.defaults.unit)")
            if len((panel.get("description") or "").strip()) < 20:
                problem(where, "no description (what it shows and how to read it)")
            targets = panel.get("targets") or []
            if not targets:
                problem(where, "no query")
            ref_ids = [t.get("refId") for t in targets]
            if len(set(ref_ids)) != len(ref_ids) or not all(ref_ids):
                problem(where, f"refIds not unique and non-empty: {ref_ids}")
            for transformation in panel.get("transformations") or []:
                options = transformation.get("options") or {}
                for column in (options.get("renameByName") or {}):
                    if column not in ("Value", "Time", "__name__") and \
                            not column.startswith("Value #") and column not in ALLOWED_LABELS:
                        problem(where, f"table column {column!r} is not an allowed label")
            for target in targets:
                at = f"{where} query {target.get('refId')}"
                if (target.get("datasource") or {}).get("uid") != DATASOURCE:
                    problem(at, f"datasource is not {DATASOURCE}")
                for label in LEGEND_LABEL.findall(target.get("legendFormat") or ""):
                    if label not in ALLOWED_LABELS:
                        problem(at, f"legend label {label!r} is not allowed")
                expr = target.get("expr") or ""
                if not expr.strip():
                    problem(at, "empty expr")
                    continue
                try:
                    dashboard_queries.substitute(expr)
                except KeyError as error:
                    problem(at, str(error.args[0]))
                try:
                    selectors, grouping = parse(expr)
                except (PromQLError, IndexError) as error:
                    problem(at, f"cannot parse {expr!r}: {error}")
                    continue
                for label in grouping:
                    if label not in ALLOWED_LABELS:
                        problem(at, f"groups by {label!r}, not an allowed label")
                for metric, matchers in selectors:
                    labels = metric_labels(metric)
                    if labels is None:
                        problem(at, f"unknown metric {metric!r} (not in the metric contract)")
                        continue
                    if metric in RECORDING_RULES:
                        used_rules.add(metric)
                    filters = {(label, op, value) for label, op, value in matchers}
                    for label, _, _ in matchers:
                        if label not in ALLOWED_LABELS:
                            problem(at, f"matcher on {label!r}, not an allowed label")
                        elif label not in labels:
                            problem(at, f"{metric} has no label {label!r}")
                    if uid == CONSISTENCY:
                        for label in ("la", "source_system"):
                            if label in labels and (label, "=~", f"${label}") not in filters:
                                problem(at, f'{metric} not filtered by {label}=~"${label}"')
                    if uid == OPERATIONS and "job" in labels and \
                            ("job", "=~", "$job") not in filters:
                        problem(at, f'{metric} not filtered by job=~"$job"')
        for duplicate in {i for i in ids if ids.count(i) > 1}:
            problem(path.name, f"panel id {duplicate} used {ids.count(duplicate)} times")

    # The recording rules, once someone has written them: each one used must be recorded.
    recorded = set()
    for rules in sorted(RULES.glob("*.y*ml")) if RULES.is_dir() else []:
        recorded |= set(re.findall(r"^\s*-?\s*record:\s*['\"]?([\w:]+)", rules.read_text(),
                                   re.MULTILINE))
    if recorded:
        for rule in sorted(used_rules - recorded):
            problem("deploy/prometheus/rules", f"recording rule {rule} is used but not recorded")
    else:
        print(f"note: no recording rules in {RULES}; not cross-checked")

    try:
        leftover = [e for e in dashboard_queries.expressions(directory) if "$" in e]
    except KeyError:
        leftover = []  # reported above, per query
    for expression in leftover:
        problem("expressions()", f"a Grafana variable is left in {expression!r}")
    return problems, sum(1 for _ in dashboard_queries.queries(directory))


def main():
    directory = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else dashboard_queries.DASHBOARDS
    problems, count = check(directory)
    for line in problems:
        print(f"FAIL {line}")
    if problems:
        print(f"{len(problems)} problem(s) in {directory}")
        return 1
    print(f"ok: {count} queries in {len(dashboard_queries.dashboard_files(directory))} dashboards")
    return 0


if __name__ == "__main__":
    sys.exit(main())
