#!/usr/bin/env python3
"""The monitor on the real broker, scraped by a real Prometheus (DESIGN.md §7, issue 11).

The whole pipeline runs on topics of its own: standardiser, router, feed, monitor, with the
example inbox acknowledging two queues and recording decisions. Then:

- every PromQL expression of the Grafana dashboards and of the Prometheus rules runs through
  Prometheus's HTTP API: each must parse, and the dashboards' and recording rules' must return
  data (alerts are checked to parse: most must not fire);
- exactness: the monitor's counts, queried from Prometheus, equal counts this test makes itself
  from the committed routed and feedback topics, per LA, window, source system and issue, though
  the monitor was killed with SIGKILL mid-stream and restarted;
- `referralctl report --format csv` for the period agrees with Prometheus on the same data;
- `promtool check metrics` passes on every service's /metrics.

Runs under the project's venv (grpcio, for the feed and the inbox) like feed_test.py.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import yaml

import harness
import feed_harness

sys.path.insert(0, str(harness.SOURCE / "tests" / "deploy"))
import dashboard_queries  # noqa: E402

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
INBOX = harness.SOURCE / "examples" / "python-la-inbox" / "inbox.py"
SOURCES = ["storm", "niche", "athena"]
DIRECTORY_LAS = {"E06000022", "E06000023", "E06000024", "E06000025", "E06000066"}
# Metrics that only have series once something happens that this run does not make happen;
# a query over them must run, and may return nothing. Anything else must return data.
EVENT_ONLY = {
    "referral_feed_refusals_total": "a refused gRPC call",
    "referral_feed_duplicates_skipped_total": "a referral revision routed twice",
    "referral_intake_submissions_total": "the intake (not in this pipeline; intake_integration)",
    "referral_intake_violations_total": "the intake",
    "referral_intake_publish_seconds_bucket": "the intake",
    "referral_monitor_unrecognised_values_total": "an unrecognised value (its field is an open label)",
}
# Queues the inbox acknowledges: subscriber name in the test grants, queue.
INBOXES = [("bristol-lcs", "frontdoor/E06000023"), ("avon-edt", "edt/avon")]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prometheus:
    def __init__(self, directory, jobs):
        self.port = free_port()
        self.dir = directory / "prometheus"
        self.dir.mkdir()
        # The shipped rules, evaluated every second rather than every minute.
        rules = []
        for path in sorted((harness.SOURCE / "deploy" / "prometheus" / "rules").glob("*.yaml")):
            loaded = yaml.safe_load(path.read_text())
            for group in loaded["groups"]:
                group["interval"] = "1s"
            copy = self.dir / path.name
            copy.write_text(json.dumps(loaded))
            rules.append(str(copy))
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": rules,
            "scrape_configs": [{"job_name": job, "static_configs": [{"targets": targets}]}
                               for job, targets in jobs.items()],
        }
        (self.dir / "prometheus.yml").write_text(json.dumps(config))  # JSON is YAML
        self.log = open(self.dir / "prometheus.log", "w")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={self.dir / 'prometheus.yml'}",
             f"--storage.tsdb.path={self.dir / 'data'}", f"--web.listen-address=127.0.0.1:{self.port}",
             "--log.level=warn"], stdout=self.log, stderr=subprocess.STDOUT)
        harness.wait_for(self.ready, 60, "Prometheus to be ready")

    def ready(self):
        if self.proc.poll() is not None:
            harness.fail(f"prometheus exited {self.proc.returncode}:\n{(self.dir / 'prometheus.log').read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def query(self, expr):
        """(status, result list or error) of an instant query."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                body = json.loads(r.read())
        except urllib.error.HTTPError as e:
            body = json.loads(e.read())
        if body["status"] != "success":
            return "error", body.get("error", "")
        return "success", body["data"]["result"]

    def vector(self, expr):
        """{tuple of sorted label items: value} of an instant vector query."""
        status, result = self.query(expr)
        if status != "success":
            harness.fail(f"query failed: {expr}: {result}")
        return {tuple(sorted(s["metric"].items())): float(s["value"][1]) for s in result}

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()


def monitor_config(pipeline, feed, port):
    config = {
        "directory_file": str(harness.CONFIG / "directory.yaml"),
        "topics": feed.topics,
        "kafka": {"group_id": f"{pipeline.prefix}-monitor",
                  "transactional_id": f"{pipeline.prefix}-monitor",
                  "commit_interval_ms": 300, "topic_partitions": 6,
                  "properties": {"session.timeout.ms": "6000", "heartbeat.interval.ms": "1000"}},
        "http": {"listen": f"127.0.0.1:{port}"},
        "source_systems": SOURCES,
        "state_topic": f"{pipeline.prefix}.referrals.monitor.state.v1",
    }
    path = pipeline.dir / "monitor.json"
    path.write_text(json.dumps(config))
    return path


def start_router(pipeline, clock_start, port):
    """The pipeline's router on a fixed metrics port (so that Prometheus scrapes its successor)."""
    service = harness.Service(
        "router", [str(harness.BIN / "router"), "--config", str(pipeline.router_config),
                   "--instance", f"{pipeline.prefix}-a", "--clock-start", clock_start,
                   "--http", f"127.0.0.1:{port}"],
        pipeline.dir / f"router-{clock_start.replace(':', '')}.log", pipeline.env())
    pipeline.services.append(service)
    return service.start()


def inbox(feed, feed_service, subscriber, queue, out, *extra, wait=True, idle=6):
    certs = feed.certs
    args = [sys.executable, INBOX, "receive" if not extra else extra[0],
            "--target", f"localhost:{feed.grpc_port(feed_service)}",
            "--cert", certs / f"{subscriber}.pem", "--key", certs / f"{subscriber}.key",
            "--ca", certs / "ca.pem"]
    if not extra:
        args += ["--queue", queue, "--subscription", f"{subscriber}-inbox", "--out", out,
                 "--idle-exit", str(idle)]
    else:
        args += list(extra[1:])
    proc = subprocess.Popen([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "GRPC_VERBOSITY": "ERROR"})
    if not wait:
        return proc
    out_text, err_text = proc.communicate(timeout=300)
    if proc.returncode != 0:
        harness.fail(f"inbox {args[2]} exited {proc.returncode}:\n{err_text.decode()[-2000:]}")
    return out_text.decode()


def la_label(code):
    return code if code in DIRECTORY_LAS else "unresolved"


def window_label(routing):
    return {"IN_HOURS": "in_hours", "OUT_OF_HOURS": "out_of_hours"}.get(routing.get("window"), "unspecified")


def expected_counts(pipeline, feed):
    """The monitor's figures computed here, independently, from the committed topics."""
    routed_topics = [t for t in pipeline.output_topics() if not t.endswith(".referrals.dlq.v1")]
    records = harness.tail(routed_topics, idle_seconds=6)
    first = {}  # referral id -> the copy counted
    copies = {}  # (queue, referral id, revision) -> copy
    for record in records:
        referral = record["value"]
        first.setdefault(referral["referralId"], referral)
        topic = record["topic"].removeprefix(pipeline.prefix + ".")
        if topic.startswith("referrals.frontdoor."):
            queue = "frontdoor/" + topic.split(".")[2]
        elif topic.startswith("referrals.edt."):
            queue = "edt/" + topic.split(".")[2]
        else:
            queue = "triage"
        copies[(queue, referral["referralId"], int(referral.get("revision", 0)))] = referral
    want = {"referrals": Counter(), "issues": Counter(), "children": Counter(),
            "spoken_to": Counter(), "views": Counter(), "no_police_action": Counter()}
    for referral in first.values():
        key = (la_label(referral.get("laCode", "")), window_label(referral["routing"]),
               referral["incident"].get("sourceSystem") if referral["incident"].get("sourceSystem") in SOURCES else "other")
        want["referrals"][key] += 1
        for issue in set(referral.get("quality", {}).get("issues", [])):
            want["issues"][key + (issue.removeprefix("QUALITY_ISSUE_").lower(),)] += 1
        children = referral.get("children", [])
        want["children"][key] += len(children)
        want["spoken_to"][key] += sum(1 for c in children if c.get("voice", {}).get("spokenTo"))
        want["views"][key] += sum(1 for c in children if c.get("voice", {}).get("views"))
        if not referral.get("policeActions"):
            want["no_police_action"][key] += 1
    acknowledged = set()
    decisions = Counter()
    for record in harness.tail([feed.topics["feedback"]], idle_seconds=4):
        event = record["value"]
        if "acknowledgement" in event:
            ack = event["acknowledgement"]
            acknowledged.add((ack["queue"], ack["referralId"], int(ack.get("revision", 0))))
        elif "decision" in event:
            d = event["decision"]
            copy = copies[(d["queue"], d["referralId"], int(d.get("revision", 0)))]
            decisions[(la_label(copy.get("laCode", "")), d["queue"].split("/")[0],
                       d["outcome"].removeprefix("DECISION_OUTCOME_").lower())] += 1
    acks = Counter()
    for (queue, referral_id, revision) in acknowledged:
        copy = copies[(queue, referral_id, revision)]
        acks[(la_label(copy.get("laCode", "")), queue.split("/")[0])] += 1
    unacknowledged = Counter()
    for (queue, referral_id, revision), copy in copies.items():
        if (queue, referral_id, revision) not in acknowledged:
            unacknowledged[(queue,)] += 1
    return want, acks, decisions, unacknowledged, len(first)


def by(prom, expr, labels):
    """{tuple of label values: value} of `sum by (labels) (expr)`."""
    vector = prom.vector(f"sum by ({', '.join(labels)}) ({expr})")
    return {tuple(dict(k)[label] for label in labels): v for k, v in vector.items()}


def compare(name, want, got):
    want = {k: float(v) for k, v in want.items() if v}
    got = {k: v for k, v in got.items() if v}
    if want != got:
        missing = {k: v for k, v in want.items() if got.get(k) != v}
        extra = {k: v for k, v in got.items() if want.get(k) != v}
        harness.fail(f"{name}: Prometheus disagrees with the topics.\n want (differing): {missing}\n"
                     f" got (differing): {extra}")
    print(f"  {name}: {len(want)} series agree ({sum(want.values()):.0f} in all)")


def rule_expressions():
    recording, alerting = [], []
    for path in sorted((harness.SOURCE / "deploy" / "prometheus" / "rules").glob("*.yaml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                (recording if "record" in rule else alerting).append(
                    (rule.get("record") or rule["alert"], rule["expr"]))
    return recording, alerting


def main():
    pipeline = harness.Pipeline("monitor", commit_interval_ms=100)
    feed = feed_harness.Feed(pipeline, ack_deadline_s=30)
    prom = None
    try:
        standardiser = pipeline.standardiser()
        # Routed in hours at first, then (a router restarted on another clock) out of hours.
        router_port = free_port()
        router = start_router(pipeline, harness.IN_HOURS, router_port)
        feed_service = feed.start()
        monitor_port = free_port()
        config = monitor_config(pipeline, feed, monitor_port)
        monitor = harness.Service("monitor", [str(harness.BIN / "monitor"), "--config", str(config)],
                                  pipeline.dir / "monitor.log", pipeline.env())
        pipeline.services.append(monitor)
        monitor.start()
        for service in (standardiser, router, monitor):
            service.wait_ready()
        prom = Prometheus(pipeline.dir, {
            "referral-standardiser": [f"127.0.0.1:{standardiser.http_port()}"],
            "referral-router": [f"127.0.0.1:{router_port}"],
            "referral-feed": [f"127.0.0.1:{feed_service.http_port()}"],
            "referral-monitor": [f"127.0.0.1:{monitor_port}"],
        })

        # Incidents over ten seconds; the monitor is killed with SIGKILL in the middle.
        simulate = subprocess.Popen(
            [str(harness.BIN / "referralctl"), "simulate", "--bootstrap", harness.bootstrap(),
             "--config", str(pipeline.standardiser_config), "--rate", "40", "--duration", "10",
             "--seed", "11"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=harness.SOURCE)
        time.sleep(4)
        counted_before = monitor.metric("referral_monitor_referrals_total")
        monitor.kill9()
        print(f"monitor killed with SIGKILL after counting {counted_before:.0f} referrals")
        time.sleep(1)
        monitor.start()
        monitor.wait_ready(timeout=120)
        router.terminate()
        router = start_router(pipeline, harness.OUT_OF_HOURS, router_port)
        router.wait_ready()
        if simulate.wait(120) != 0:
            harness.fail(f"simulate failed:\n{simulate.stderr.read().decode()[-2000:]}")

        # The inboxes take what is routed to them, acknowledging each; then decisions on three.
        outs = {}
        procs = []
        for subscriber, queue in INBOXES:
            outs[queue] = pipeline.dir / f"inbox-{subscriber}"
            procs.append(inbox(feed, feed_service, subscriber, queue, outs[queue], wait=False, idle=8))
        for proc in procs:
            _, err_text = proc.communicate(timeout=300)
            if proc.returncode != 0:
                harness.fail(f"inbox exited {proc.returncode}:\n{err_text.decode()[-2000:]}")
        received = sorted(p.name for p in outs["frontdoor/E06000023"].glob("*.json"))
        if len(received) < 3:
            harness.fail(f"the Bristol inbox received {len(received)} referrals; the test needs 3")
        for name, outcome in zip(received[:3], ["s47_enquiry", "early_help", "no_further_action"]):
            referral_id, _, revision = name.removesuffix(".json").rpartition("-r")
            inbox(feed, feed_service, "bristol-lcs", None, None, "decide", referral_id, revision,
                  "frontdoor/E06000023", outcome, "--decider-role", "MASH team manager")

        want, acks, decisions, unacknowledged, referral_count = expected_counts(pipeline, feed)
        print(f"{referral_count} referrals routed; {sum(acks.values())} copies acknowledged; "
              f"{sum(decisions.values())} decisions")

        # The monitor has counted everything once it has committed past the feedback written last.
        def caught_up():
            got = by(prom, "referral_monitor_referrals_total", ["la"])
            acked = prom.vector("sum(referral_monitor_acknowledgement_seconds_count)")
            decided = prom.vector("sum(referral_monitor_decisions_total)")
            return (sum(got.values()) == referral_count and
                    sum(acked.values()) == sum(acks.values()) and
                    sum(decided.values()) == sum(decisions.values()))
        harness.wait_for(caught_up, 90, "Prometheus to show the monitor's counts of everything")

        print("exactness (Prometheus vs the committed topics):")
        labels = ["la", "window", "source_system"]
        compare("referrals", want["referrals"], by(prom, "referral_monitor_referrals_total", labels))
        compare("quality issues", want["issues"],
                by(prom, "referral_monitor_quality_issues_total", labels + ["issue"]))
        compare("children", want["children"], by(prom, "referral_monitor_children_total", labels))
        compare("children spoken to", want["spoken_to"],
                by(prom, "referral_monitor_children_spoken_to_total", labels))
        compare("children's views recorded", want["views"],
                by(prom, "referral_monitor_children_views_recorded_total", labels))
        compare("no police action", want["no_police_action"],
                by(prom, "referral_monitor_no_police_action_total", labels))
        compare("acknowledgements", acks,
                by(prom, "referral_monitor_acknowledgement_seconds_count", ["la", "queue_kind"]))
        compare("decisions", decisions,
                by(prom, "referral_monitor_decisions_total", ["la", "queue_kind", "outcome"]))
        compare("unacknowledged", unacknowledged,
                by(prom, "referral_monitor_unacknowledged_referrals", ["queue"]))
        restarts = [e for e in monitor.log_events() if e.get("event") == "monitor_state"]
        if len(restarts) != 2 or not restarts[-1]["restored"]:
            harness.fail(f"the restarted monitor did not restore its state: {restarts}")

        # The report and Prometheus, on the same data.
        today = time.strftime("%Y-%m-%d", time.gmtime())
        csv_text = harness.referralctl(
            "report", "--bootstrap", harness.bootstrap(), "--config", str(config),
            # The routers' clocks read 25 and 28 November 2026.
            "--from", "2026-11-25", "--to", today,
            "--format", "csv").stdout.decode()
        report = defaultdict(float)
        for line in csv_text.splitlines()[1:]:
            section, la, source, kind, measure, value = line.split(",")
            report[(section, la, source, kind, measure)] += float(value)
        print("the report and Prometheus:")
        for measure, metric in [("referrals", "referral_monitor_referrals_total"),
                                ("children", "referral_monitor_children_total"),
                                ("children_spoken_to", "referral_monitor_children_spoken_to_total"),
                                ("no_police_action", "referral_monitor_no_police_action_total")]:
            got = by(prom, metric, ["la", "source_system"])
            from_report = {(la, source): v for (section, la, source, _, m), v in report.items()
                           if section == "consistency" and m == measure and la != "all"}
            compare(f"report {measure}", from_report, got)
        got = by(prom, "referral_monitor_acknowledgement_seconds_count", ["la", "queue_kind"])
        from_report = {(la, kind): v for (section, la, _, kind, m), v in report.items()
                       if section == "timeliness" and m == "acknowledged"}
        compare("report acknowledged", from_report, got)

        # Every expression of the dashboards and rules runs on this Prometheus.
        time.sleep(3)  # a few more scrapes, so that rate() and increase() have two samples
        empty = []
        # The recording rules have been evaluated (every second here) over the data.
        harness.wait_for(lambda: prom.vector("la_source_system:referral_monitor_completeness:mean7d"),
                         60, "the recording rules to be evaluated")
        for dashboard_expr in dashboard_queries.expressions():
            status, result = prom.query(dashboard_expr)
            if status != "success":
                harness.fail(f"dashboard query does not run: {dashboard_expr}: {result}")
            if not result and not any(metric in dashboard_expr for metric in EVENT_ONLY):
                empty.append(dashboard_expr)
        recording, alerting = rule_expressions()
        for name, expr in recording:
            status, result = prom.query(expr)
            if status != "success":
                harness.fail(f"recording rule {name} does not run: {result}")
            if not result:
                empty.append(f"{name}: {expr}")
        for name, expr in alerting:
            status, result = prom.query(expr)
            if status != "success":
                harness.fail(f"alert {name} does not run: {result}")
        print(f"{len(dashboard_queries.expressions())} dashboard queries, {len(recording)} recording "
              f"rules and {len(alerting)} alerts run on Prometheus")
        if empty:
            harness.fail("these returned no data on a running pipeline:\n  " + "\n  ".join(empty))

        # promtool check metrics on every service's /metrics.
        for service in (standardiser, router, feed_service, monitor):
            _, text = service.get("/metrics")
            result = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(),
                                    capture_output=True)
            if result.returncode != 0:
                harness.fail(f"promtool check metrics on {service.name}:\n"
                             f"{(result.stdout + result.stderr).decode()[-2000:]}")
        print("promtool check metrics: clean on standardiser, router, feed and monitor")
        print("monitor: ok")
    finally:
        if prom:
            prom.stop()
        pipeline.stop_all()


if __name__ == "__main__":
    main()
