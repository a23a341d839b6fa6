#!/usr/bin/env python3
"""End-to-end tests of `referralctl`: run the binary, check exit status, stdout and stderr.

Usage: referralctl_test.py PATH_TO_REFERRALCTL REPO_ROOT
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

BIN = ""
ROOT = ""


def run(*args, stdin=None, cwd=None):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=30)


def sample(name):
    return os.path.join(ROOT, "tests/data/incidents", name)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class StandardiseTest(unittest.TestCase):
    def test_prints_one_referral_per_line(self):
        result = run("standardise", sample("09-household-two-las.incident.json"))
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        expected = json.loads(read(sample("09-household-two-las.referrals.json")))
        self.assertEqual([json.loads(l) for l in lines], expected)

    def test_invalid_input_lists_each_field_and_exits_2(self):
        result = run("standardise", sample("13-invalid-dates.incident.json"))
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr, read(sample("13-invalid-dates.errors.txt")))

    def test_unparseable_json_exits_2(self):
        result = run("standardise", "-", stdin="{nope")
        self.assertEqual(result.returncode, 2)
        self.assertIn("invalid JSON", result.stderr)

    def test_json_lines_from_stdin_with_line_numbers(self):
        first = json.dumps(json.loads(read(sample("01-domestic-abuse-complete.incident.json"))))
        bad = json.dumps(json.loads(read(sample("14-invalid-missing-ids.incident.json"))))
        result = run("standardise", "-", stdin=first + "\n\n" + bad + "\n")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(len(result.stdout.splitlines()), 1)
        self.assertIn("line 3: event_id: required\n", result.stderr)
        self.assertIn("line 3: persons[1].person_ref: duplicate of persons[0]\n", result.stderr)

    def test_an_unrecognised_value_is_warned_about_and_kept_on_the_referral(self):
        # Issue 9: a misspelt child role without a date of birth was "skipped: no_child", exit 0.
        incident = json.loads(read(sample("02-child-neglect-voice-missing.incident.json")))
        for person in incident["persons"]:
            if person.get("role") == "PERSON_ROLE_CHILD":
                person["role"] = "PERSON_ROLE_CHILDD"
                person.pop("dateOfBirth", None)
                person.pop("ageYears", None)
                break
        result = run("standardise", "-", stdin=json.dumps(incident))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn('warning: persons[', result.stderr)
        self.assertIn('].role: unrecognised value "PERSON_ROLE_CHILDD" (kept and flagged on the '
                      'referral)\n', result.stderr)
        referral = json.loads(result.stdout.splitlines()[0])
        self.assertIn({"fieldPath": referral["unrecognisedValues"][0]["fieldPath"],
                       "value": "PERSON_ROLE_CHILDD"}, referral["unrecognisedValues"])
        self.assertTrue(any(c.get("role") == -1 for c in referral["children"]))

    def test_skipped_incident_is_reported_not_failed(self):
        result = run("standardise", sample("11-skipped-no-child.incident.json"))
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr, "skipped: no_child\n")

    def test_unknown_config_key_is_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = os.path.join(tmp, "standardiser.yaml")
            with open(config, "w") as f:
                f.write("directory_file: %s\ntopix: {}\n" % os.path.join(ROOT, "deploy/config/directory.yaml"))
            result = run("standardise", "--config", config, sample("01-domestic-abuse-complete.incident.json"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("topix", result.stderr)
        self.assertIn(config, result.stderr)


class RouteDecisionTest(unittest.TestCase):
    def decide(self, *args):
        result = run("route", *args)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def test_friday_evening_goes_to_edt_then_front_door(self):
        d = self.decide("--la", "E06000023", "--at", "2026-11-27T18:00:00Z")
        self.assertEqual(d["window"], "OUT_OF_HOURS")
        self.assertEqual(d["destinations"], ["referrals.edt.avon.v1", "referrals.frontdoor.E06000023.v1"])
        self.assertEqual(d["decisionDueBy"], "2026-11-30T17:00:00Z")  # Monday's close, GMT
        self.assertEqual(d["ruleId"], "out_of_hours.edt_with_handover")

    def test_in_hours_in_bst(self):
        # Tuesday 2 June 2026 09:00 BST = 08:00Z.
        d = self.decide("--la", "E06000066", "--at", "2026-06-02T08:00:00Z")
        self.assertEqual(d["window"], "IN_HOURS")
        self.assertEqual(d["destinations"], ["referrals.frontdoor.E06000066.v1"])
        self.assertEqual(d["decisionDueBy"], "2026-06-03T08:00:00Z")

    def test_somerset_bank_holiday_goes_to_its_own_edt(self):
        d = self.decide("--la", "E06000066", "--at", "2026-12-28T11:00:00Z", "--immediate")
        self.assertEqual(d["destinations"][0], "referrals.edt.somerset.v1")
        self.assertEqual(d["windowReason"], "WINDOW_REASON_BANK_HOLIDAY")
        self.assertEqual(d["decisionDueBy"], "2026-12-29T17:00:00Z")

    def test_unknown_la_goes_to_triage(self):
        d = self.decide("--la", "E09000001", "--at", "2026-11-27T10:00:00Z")
        self.assertEqual(d["destinations"], ["referrals.triage.v1"])
        self.assertEqual(d["ruleId"], "triage.la_not_in_directory")

    def test_bad_moment_exits_2(self):
        result = run("route", "--la", "E06000023", "--at", "tomorrow")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--at: want RFC 3339", result.stderr)


class RouteFileTest(unittest.TestCase):
    def test_moments_outside_the_accepted_times_exit_2_and_print_nothing(self):
        # Issue 9: 9999-12-31T23:59:59Z printed truncated JSON and exited 0; 0001-01-01 used
        # London's pre-1847 offset.
        for at in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z",
                   "2100-01-01T00:00:00Z"):
            result = run("route", "--la", "E06000023", "--at", at)
            self.assertEqual(result.returncode, 2, at)
            self.assertEqual(result.stdout, "", at)
            self.assertEqual(result.stderr, f"--at: {at} is outside the times the gateway accepts "
                             "(1900-01-01T00:00:00Z to 2099-12-31T23:59:59Z)\n")
        for at in ("1900-01-01T00:00:00Z", "2099-12-31T23:59:59Z"):
            result = run("route", "--la", "E06000023", "--at", at)
            self.assertEqual(result.returncode, 0, result.stderr)
            json.loads(result.stdout)

    def test_each_delivery_is_printed_with_routing(self):
        result = run("route", "--at", "2026-11-28T02:00:00Z", sample("09-household-two-las.incident.json"))
        self.assertEqual(result.returncode, 0, result.stderr)
        copies = [json.loads(l) for l in result.stdout.splitlines()]
        # Saturday night: two LAs, each to the Avon EDT plus a handover copy to its front door.
        self.assertEqual([(c["laCode"], c["routing"]["deliveredTo"], c["routing"].get("handover", False))
                          for c in copies],
                         [("E06000023", "referrals.edt.avon.v1", False),
                          ("E06000023", "referrals.frontdoor.E06000023.v1", True),
                          ("E06000022", "referrals.edt.avon.v1", False),
                          ("E06000022", "referrals.frontdoor.E06000022.v1", True)])
        self.assertTrue(all(c["routing"]["decisionDueBy"] == "2026-11-30T17:00:00Z" for c in copies))

    def test_unresolved_la_goes_to_triage_in_summary(self):
        result = run("route", "--summary", "--at", "2026-11-27T10:00:00Z",
                     sample("08-concern-for-welfare-la-unresolved.incident.json"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("la=- -> referrals.triage.v1 IN_HOURS", result.stdout)
        self.assertIn("LA_UNRESOLVED", result.stdout)


class CalendarTest(unittest.TestCase):
    def test_christmas_week(self):
        result = run("calendar", "--la", "E06000023", "--from", "2026-12-24", "--days", "5")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines()[1:], [
            "2026-12-24 Thu GMT open 08:45-17:00",
            "2026-12-25 Fri GMT closed (bank holiday: Christmas Day)",
            "2026-12-26 Sat GMT closed",
            "2026-12-27 Sun GMT closed",
            "2026-12-28 Mon GMT closed (bank holiday: Boxing Day (Substitute day))",
        ])

    def test_clocks_go_forward(self):
        result = run("calendar", "--la", "E06000066", "--from", "2026-03-28", "--days", "2")
        self.assertEqual(result.stdout.splitlines()[1:],
                         ["2026-03-28 Sat GMT closed", "2026-03-29 Sun BST closed"])

    def test_unknown_la_exits_2(self):
        result = run("calendar", "--la", "E09000001")
        self.assertEqual(result.returncode, 2)
        self.assertIn("not in the directory", result.stderr)


class SimulateTest(unittest.TestCase):
    def simulate(self, *args):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "incidents.jsonl")
            result = run("simulate", "--output", path, *args)
            self.assertEqual(result.returncode, 0, result.stderr)
            return result, read(path).splitlines()

    def test_same_seed_same_incidents_other_seed_other_incidents(self):
        _, first = self.simulate("--count", "300", "--seed", "5")
        _, again = self.simulate("--count", "300", "--seed", "5")
        _, other = self.simulate("--count", "300", "--seed", "6")
        self.assertEqual(first, again)
        self.assertNotEqual(first, other)

    def test_a_varied_feed_with_invalid_malformed_and_skipped_shares(self):
        result, lines = self.simulate("--count", "2000", "--seed", "3",
                                      "--at", "2026-11-27T12:00:00Z")
        self.assertEqual(len(lines), 2000)
        self.assertRegex(result.stdout, r"^simulated 2000 incidents \(\d+ malformed\) to ")
        malformed = [l for l in lines if not l.endswith("}")]
        self.assertTrue(2 <= len(malformed) <= 30, len(malformed))
        events = [json.loads(l) for l in lines if l.endswith("}")]
        types = {e.get("incidentType") for e in events}
        self.assertGreaterEqual(len(types), 8)
        self.assertTrue(all(e["occurredAt"] <= "2026-11-27T12:00:00Z" for e in events
                            if "occurredAt" in e))
        children = [sum(p.get("role") == "PERSON_ROLE_CHILD" for p in e.get("persons", []))
                    for e in events]
        self.assertEqual(set(children), {0, 1, 2, 3, 4})
        # Standardising the feed gives referrals, skips and field errors, as a live feed would.
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as f:
            f.write("\n".join(lines) + "\n")
            f.flush()
            standardised = run("standardise", f.name)
        self.assertEqual(standardised.returncode, 2)
        self.assertIn("skipped: no_child", standardised.stderr)
        self.assertIn("invalid JSON", standardised.stderr)
        self.assertRegex(standardised.stderr, r"(incident_id|occurred_at): required|reported_at: before occurred_at")
        referrals = [json.loads(l) for l in standardised.stdout.splitlines()]
        issues = {i for r in referrals for i in r.get("quality", {}).get("issues", [])}
        self.assertGreaterEqual(len(issues), 9, issues)
        self.assertGreaterEqual(len({r.get("laCode", "") for r in referrals}), 6)  # 5 LAs + triage

    def test_needs_a_count_or_a_rate_and_duration(self):
        result = run("simulate", "--output", "/dev/null")
        self.assertEqual(result.returncode, 2)
        self.assertIn("give --count N, or --rate R and --duration D", result.stderr)


class ReportTest(unittest.TestCase):
    """Usage errors name the option before any Kafka is needed (the figures themselves are
    checked against Prometheus in tests/system/monitor_test.py)."""

    def report(self, *args):
        return run("report", "--bootstrap", "127.0.0.1:1", *args)

    def test_dates_must_be_calendar_days(self):
        for bad in ("2026-13-01", "2026-11-31", "2026-1-05", "yesterday", "2026-11-05T00:00:00Z"):
            result = self.report("--from", bad, "--to", "2026-12-01")
            self.assertEqual(result.returncode, 2, bad)
            self.assertIn(f'--from: "{bad}" is not a date', result.stderr)
        result = self.report("--from", "2026-11-01", "--to", "2026-02-30")
        self.assertEqual(result.returncode, 2)
        self.assertIn('--to: "2026-02-30" is not a date', result.stderr)

    def test_the_period_must_not_end_before_it_starts(self):
        result = self.report("--from", "2026-11-02", "--to", "2026-11-01")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--to: 2026-11-01 is before --from 2026-11-02", result.stderr)

    def test_the_format_is_md_csv_or_html(self):
        result = self.report("--from", "2026-11-01", "--to", "2026-11-01", "--format", "pdf")
        self.assertEqual(result.returncode, 2)
        self.assertIn('--format: "pdf" is not md, csv or html', result.stderr)

    def test_a_bootstrap_is_needed(self):
        env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP"}
        result = subprocess.run([BIN, "report", "--from", "2026-11-01", "--to", "2026-11-01"],
                                capture_output=True, text=True, cwd=ROOT, timeout=30, env=env)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--bootstrap: required", result.stderr)


class ProbeTest(unittest.TestCase):
    """`probe`, what the chart's `helm test` runs: 0 only when every URL answers 200."""

    @classmethod
    def setUpClass(cls):
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200 if self.path == "/readyz" else 503)
                self.end_headers()
                self.wfile.write(b"x")

            def log_message(self, *args):
                pass

        cls.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        cls.port = cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def test_every_url_answering_200_is_ok(self):
        result = run("probe", f"http://127.0.0.1:{self.port}/readyz",
                     f"http://localhost:{self.port}/readyz")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(result.stdout.count("ok "), 2)

    def test_one_not_200_or_unreachable_fails_naming_it(self):
        result = run("probe", f"http://127.0.0.1:{self.port}/readyz",
                     f"http://127.0.0.1:{self.port}/other", "http://127.0.0.1:1/readyz")
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"failed http://127.0.0.1:{self.port}/other: status 503", result.stdout)
        self.assertIn("failed http://127.0.0.1:1/readyz: ", result.stdout)

    def test_a_url_that_is_not_http_is_a_usage_error(self):
        for bad in ("https://x/readyz", "127.0.0.1:80/readyz", "http://:80/readyz",
                    "http://x:0/readyz", "http://x:65536/"):
            result = run("probe", bad)
            self.assertEqual(result.returncode, 2, bad)
            self.assertIn("is not http://host[:port]/path", result.stderr)


class KafkaCommandsTest(unittest.TestCase):
    def test_publish_without_a_bootstrap_is_a_usage_error(self):
        env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP"}
        result = subprocess.run([BIN, "publish", sample("01-domestic-abuse-complete.incident.json")],
                                capture_output=True, text=True, cwd=ROOT, timeout=30, env=env)
        self.assertEqual(result.returncode, 2)
        self.assertIn("give --bootstrap host:port or set KAFKA_BOOTSTRAP", result.stderr)

    def kafka_config(self, text, *args, env=None):
        """`tail` with --kafka-config holding `text`; nothing is contacted when the file is bad."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "kafka.yaml")
            with open(path, "w") as f:
                f.write(text)
            env = {**{k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP"}, **(env or {})}
            return subprocess.run([BIN, "tail", "--kafka-config", path, *args, "--timeout", "1", "t"],
                                  capture_output=True, text=True, cwd=ROOT, timeout=30, env=env)

    def test_a_kafka_config_file_that_cannot_be_read_is_a_usage_error_naming_the_option(self):
        result = subprocess.run([BIN, "tail", "--bootstrap", "127.0.0.1:1", "--kafka-config",
                                 "/nonexistent/kafka.yaml", "t"],
                                capture_output=True, text=True, cwd=ROOT, timeout=30)
        self.assertEqual(result.returncode, 2, result.stderr)
        # Not CLI11's "argument not expected", which would also name both.
        self.assertIn("--kafka-config: /nonexistent/kafka.yaml: cannot open", result.stderr)

    def test_a_kafka_config_without_servers_and_no_bootstrap_names_the_field(self):
        result = self.kafka_config("properties: {security.protocol: SSL}\n")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("kafka.bootstrap_servers: required", result.stderr)

    def test_a_secret_in_plain_properties_is_refused_without_echoing_it(self):
        result = self.kafka_config("bootstrap_servers: 127.0.0.1:1\n"
                                   "properties: {sasl.password: hunter2-not-echoed}\n")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("sasl.password", result.stderr)
        self.assertNotIn("hunter2-not-echoed", result.stderr)

    def test_a_secret_from_an_unset_variable_names_the_variable(self):
        result = self.kafka_config("bootstrap_servers: 127.0.0.1:1\n"
                                   "secret_properties_from_env: {sasl.password: NO_SUCH_SECRET_VAR}\n")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("NO_SUCH_SECRET_VAR", result.stderr)

    def test_an_unknown_field_in_the_kafka_config_is_named(self):
        result = self.kafka_config("bootstrap_servers: 127.0.0.1:1\nproperites: {}\n")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("properites", result.stderr)

    def test_the_kafka_config_comes_from_the_environment_too(self):
        env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP"}
        env["REFERRALCTL_KAFKA_CONFIG"] = "/nonexistent/from-env.yaml"
        result = subprocess.run([BIN, "tail", "t"], capture_output=True, text=True, cwd=ROOT,
                                timeout=30, env=env)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("/nonexistent/from-env.yaml", result.stderr)


if __name__ == "__main__":
    BIN, ROOT = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=1)
