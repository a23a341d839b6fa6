"""The intake on the real broker (issue 10): a valid submission is answered with what will happen
and is on the incidents topic; each kind of invalid input comes back as INVALID_ARGUMENT with its
field paths in a google.rpc.BadRequest; unrecognised enum values are refused; a resubmission is
answered the same; callers without a grant are refused; the answer's preview is what the router
then does; while the broker is away the intake is not ready and answers UNAVAILABLE.

Run by CTest (label integration, fixture `kafka`) with the venv's python (build/tools/venv); see
tests/system/harness.py for the environment it needs."""
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "system"))
import grpc  # noqa: E402
import grpc_clients  # noqa: E402
import harness  # noqa: E402
from google.protobuf import json_format  # noqa: E402

grpc_clients.import_stubs()
from referral.v1 import incident_pb2, intake_pb2, intake_pb2_grpc  # noqa: E402

DATA = harness.SOURCE / "tests" / "data" / "incidents"
ASP = "asp-control-room"        # granted ASP
WMP = "wmp-control-room"        # granted WMP only
STRANGER = "stranger"           # a certificate of the trusted CA that no grant names
# Saturday 02:00 London: out of hours, and every decision is due at Monday's close, whatever the
# seconds between the intake's answer and the router's decision.
CLOCK_START = harness.OUT_OF_HOURS


def sample(name):
    return json.loads((DATA / f"{name}.incident.json").read_text())


def incident(document):
    return json_format.ParseDict(document, incident_pb2.IncidentEvent())


def request(document):
    return intake_pb2.SubmitRequest(incident=incident(document))


def queue_of(topic, prefix):
    """"<prefix>.referrals.frontdoor.E06000023.v1" -> "frontdoor/E06000023", and so on."""
    parts = topic.removeprefix(prefix + ".").split(".")
    return "triage" if parts[1] == "triage" else f"{parts[1]}/{parts[2]}"


class Intake:
    """An intake service on `pipeline`'s incidents topic, with grants for ASP and WMP."""

    def __init__(self, pipeline, name="intake", publish_timeout_ms=10000):
        self.pipeline = pipeline
        self.certs = grpc_clients.Certificates(pipeline.dir / "certs", [ASP, WMP, STRANGER])
        grants = pipeline.dir / f"{name}-grants.json"
        grants.write_text(json.dumps({"grants": [
            {"name": ASP, "identities": [ASP], "force_codes": ["ASP"]},
            {"name": WMP, "identities": [WMP], "force_codes": ["WMP"]},
        ]}))
        config = {
            "directory_file": str(harness.CONFIG / "directory.yaml"),
            "calendar": {"bank_holidays_file": str(harness.CONFIG / "bank-holidays.json"),
                         "division": "england-and-wales"},
            "topics": pipeline.topics,
            "kafka": {"topic_partitions": 6},
            "http": {"listen": "127.0.0.1:0"},
            "grpc": {"listen": "127.0.0.1:0", "tls": self.certs.server_tls(),
                     "grants_file": str(grants)},
            "publish_timeout_ms": publish_timeout_ms,
        }
        self.config_path = pipeline.dir / f"{name}.json"
        self.config_path.write_text(json.dumps(config))
        self.service = harness.Service(
            name, [str(harness.BIN / "intake"), "--config", str(self.config_path),
                   "--clock-start", CLOCK_START],
            pipeline.dir / f"{name}.log", pipeline.env())
        pipeline.services.append(self.service)
        self.channels = []

    def start(self):
        self.service.start()
        self.service.wait_ready()
        self.port = grpc_clients.grpc_port(self.service.log_path, count=self.service.starts)
        return self

    def stub(self, client=ASP, ca="ca.pem"):
        chan = grpc_clients.channel(self.port, self.certs, client=client, ca=ca)
        self.channels.append(chan)
        return intake_pb2_grpc.IncidentIntakeStub(chan)

    def close(self):
        for chan in self.channels:
            chan.close()

    def submissions(self, outcome, client=ASP):
        return self.service.metric("referral_intake_submissions_total", client=client,
                                   outcome=outcome)


class IntakeTest(unittest.TestCase):
    """One pipeline (standardiser and router at CLOCK_START) and one intake for every test."""

    @classmethod
    def setUpClass(cls):
        cls.pipeline = harness.Pipeline("it-intake")
        cls.intake = Intake(cls.pipeline).start()
        cls.pipeline.standardiser().wait_ready()
        cls.pipeline.router(clock_start=CLOCK_START).wait_ready()
        cls.asp = cls.intake.stub(ASP)

    @classmethod
    def tearDownClass(cls):
        cls.intake.close()
        cls.pipeline.stop_all()

    def submit(self, document, stub=None):
        return (stub or self.asp).Submit(request(document), timeout=30)

    def refused(self, document, stub=None):
        with self.assertRaises(grpc.RpcError) as caught:
            self.submit(document, stub)
        return caught.exception

    def incidents(self):
        return harness.tail([self.pipeline.topics["incidents"]], 3)

    def test_valid_submission_is_answered_with_the_preview_and_is_on_the_topic(self):
        document = sample("01-domestic-abuse-complete")
        response = self.submit(document)
        self.assertEqual(response.event_id, "evt-2026-0001")
        self.assertEqual(len(response.referrals), 1)
        preview = response.referrals[0]
        self.assertEqual(preview.referral_id, "cdacdc46-df52-515d-bd7b-57d4e4f55b0f")
        self.assertEqual(preview.la_code, "E06000023")
        self.assertEqual(list(preview.queues), ["edt/avon", "frontdoor/E06000023"])
        self.assertEqual(json_format.MessageToDict(preview)["window"], "OUT_OF_HOURS")
        self.assertEqual(preview.decision_due_by.ToJsonString(), "2026-11-30T17:00:00Z")
        self.assertEqual(preview.quality.completeness, 1.0)

        # Answered after the broker had it: it is there now, keyed and headed as referralctl
        # publish would write it.
        [record] = [r for r in self.incidents() if r["key"] == "ASP-2026-11-00001"]
        self.assertEqual(record["headers"]["content-type"], "application/x-protobuf")
        self.assertEqual(record["headers"]["ce_id"], "evt-2026-0001")
        self.assertEqual(record["headers"]["ce_type"], "uk.gov.police.incident.v1")
        self.assertEqual(record["headers"]["ce_source"], "/referral-gateway/intake")
        self.assertEqual(record["value"], json_format.MessageToDict(incident(document)))

    def test_each_kind_of_invalid_input_comes_back_with_its_field_paths(self):
        for name in ("13-invalid-dates", "14-invalid-missing-ids"):
            with self.subTest(name):
                error = self.refused(sample(name))
                self.assertEqual(error.code(), grpc.StatusCode.INVALID_ARGUMENT)
                want = (DATA / f"{name}.errors.txt").read_text().splitlines()
                self.assertEqual([f"{field}: {rule}" for field, rule in
                                  grpc_clients.bad_request(error)], want)
        spoilt = sample("01-domestic-abuse-complete")
        spoilt["incidentId"] = "ASP-INTAKE-SPOILT"
        spoilt["persons"][4]["dateOfBirth"] = "2026-11-21"
        spoilt["policeActions"][0]["takenAt"] = "2026-11-19T21:39:59Z"
        spoilt["persons"][2]["relationships"][0]["personRef"] = "nobody"
        error = self.refused(spoilt)
        self.assertEqual(error.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(grpc_clients.bad_request(error), [
            ("police_actions[0].taken_at", "more than 24 hours before occurred_at"),
            ("persons[2].relationships[0].person_ref", "names no person of this incident"),
            ("persons[4].date_of_birth", "after occurred_at"),
        ])
        self.assertIn("3 violations", error.details())
        # Nothing of them was published.
        keys = {r["key"] for r in self.incidents()}
        self.assertNotIn("ASP-INTAKE-SPOILT", keys)
        self.assertNotIn("ASP-2026-11-00013", keys)

    def test_unrecognised_enum_values_are_refused(self):
        document = sample("02-child-neglect-voice-missing")
        document["incidentId"] = "ASP-INTAKE-ENUMS"
        request_message = request(document)
        request_message.incident.persons[0].role = 42
        request_message.incident.risk.dash_level = 9
        with self.assertRaises(grpc.RpcError) as caught:
            self.asp.Submit(request_message, timeout=30)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(grpc_clients.bad_request(caught.exception), [
            ("persons[0].role", "unrecognised value 42"),
            ("risk.dash_level", "unrecognised value 9"),
        ])
        self.assertNotIn("ASP-INTAKE-ENUMS", {r["key"] for r in self.incidents()})

    def test_a_resubmission_is_answered_the_same_and_published_again(self):
        document = sample("09-household-two-las")
        document["incidentId"] = "ASP-INTAKE-TWICE"
        first = self.submit(document)
        second = self.submit(document)
        self.assertEqual(len(first.referrals), 2)
        for answer in (first, second):
            for preview in answer.referrals:
                preview.ClearField("decided_at")  # the moment of each answer
        self.assertEqual(first, second)
        # The intake keeps no state: the record is there twice, the same bytes; downstream the
        # referrals have the same ids and revision, which the feed de-duplicates.
        twice = [r for r in self.incidents() if r["key"] == "ASP-INTAKE-TWICE"]
        self.assertEqual(len(twice), 2)
        self.assertEqual(twice[0]["value"], twice[1]["value"])
        self.assertEqual(twice[0]["headers"]["ce_id"], twice[1]["headers"]["ce_id"])

    def test_a_force_not_granted_is_denied(self):
        document = sample("03-child-abuse-immediate")
        document["incidentId"] = "ASP-INTAKE-DENIED"
        error = self.refused(document, self.intake.stub(WMP))
        self.assertEqual(error.code(), grpc.StatusCode.PERMISSION_DENIED)
        self.assertIn('may not submit incidents for force_code "ASP"', error.details())
        document["forceCode"] = "WMP"
        document["incidentId"] = "WMP-INTAKE-DENIED"
        self.assertEqual(self.refused(document).code(), grpc.StatusCode.PERMISSION_DENIED)
        keys = {r["key"] for r in self.incidents()}
        self.assertNotIn("ASP-INTAKE-DENIED", keys)
        self.assertNotIn("WMP-INTAKE-DENIED", keys)
        self.assertGreaterEqual(self.intake.submissions("denied", client=WMP), 1)

    def test_no_certificate_or_one_no_grant_names_is_unauthenticated(self):
        for client in (None, STRANGER):
            with self.subTest(client or "no certificate"):
                before = self.intake.submissions("unauthenticated", client="unknown")
                error = self.refused(sample("01-domestic-abuse-complete"),
                                     self.intake.stub(client))
                self.assertEqual(error.code(), grpc.StatusCode.UNAUTHENTICATED)
                self.assertEqual(self.intake.submissions("unauthenticated", client="unknown"),
                                 before + 1)

    def test_an_untrusted_or_expired_certificate_is_refused_in_the_handshake(self):
        before = self.intake.service.metric("referral_intake_submissions_total")
        for client in (f"{ASP}-other-ca", f"{ASP}-expired"):
            with self.subTest(client):
                error = self.refused(sample("01-domestic-abuse-complete"),
                                     self.intake.stub(client))
                self.assertEqual(error.code(), grpc.StatusCode.UNAVAILABLE)
        # No call reached the service.
        self.assertEqual(self.intake.service.metric("referral_intake_submissions_total"), before)

    def test_referralctl_submit_prints_each_preview_and_each_violation(self):
        good = sample("01-domestic-abuse-complete")
        good["eventId"] = "ctl-submit-good"
        good["incidentId"] = "ASP-CTL-00001"  # the other tests look for the sample's own id
        bad = sample("01-domestic-abuse-complete")
        bad["eventId"] = "ctl-submit-bad"
        bad["incidentId"] = "ASP-CTL-00002"
        del bad["occurredAt"]
        path = self.pipeline.dir / "submit.jsonl"
        path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
        certs = self.intake.certs
        result = harness.referralctl(
            "submit", "--target", f"localhost:{self.intake.port}", "--cert",
            certs.path(f"{ASP}.pem"), "--key", certs.path(f"{ASP}.key"), "--ca",
            certs.path("ca.pem"), path, check=False)
        out, err = result.stdout.decode(), result.stderr.decode()
        self.assertEqual(result.returncode, 2, err)
        self.assertIn("line 1: accepted ctl-submit-good, 1 referral", out)
        self.assertRegex(out, r"referral \S+ r1 LA E06000023 → edt/avon, frontdoor/E06000023 "
                              r"OUT_OF_HOURS due \S+ immediate|standard")
        self.assertIn("line 2: occurred_at: ", err)
        self.assertNotIn("ctl-submit-bad", out)

    def test_the_preview_is_what_the_router_then_does(self):
        names = ["03-child-abuse-immediate", "08-concern-for-welfare-la-unresolved",
                 "16-la-outside-directory", "02-child-neglect-voice-missing",
                 "10-other-type-immediate-risk"]
        previews = {}
        for name in names:
            for preview in self.submit(sample(name)).referrals:
                previews[preview.referral_id] = json_format.MessageToDict(preview)
        self.assertEqual(len(previews), len(names))

        routed = {}
        def all_routed():
            for record in harness.tail(self.pipeline.output_topics(), 3):
                if record["key"] in previews:
                    routed.setdefault(record["key"], {})[record["topic"]] = record["value"]
            return len(routed) == len(previews)
        harness.wait_for(all_routed, 120, "the router's copies of every previewed referral")

        for referral_id, preview in previews.items():
            with self.subTest(referral_id):
                copies = routed[referral_id]
                referral = next(iter(copies.values()))
                routing = referral["routing"]
                self.assertEqual(sorted(preview["queues"]),
                                 sorted(queue_of(t, self.pipeline.prefix) for t in copies))
                destinations = [queue_of(t, self.pipeline.prefix) for t in routing["destinations"]]
                self.assertEqual(preview["queues"], destinations)
                self.assertEqual(preview.get("laCode", ""), referral.get("laCode", ""))
                self.assertEqual(preview["revision"], referral["revision"])
                self.assertEqual(preview["window"], routing["window"])
                self.assertEqual(preview["windowReason"], routing["windowReason"])
                self.assertEqual(preview["decisionDueBy"], routing["decisionDueBy"])
                self.assertEqual(preview["ruleId"], routing["ruleId"])
                self.assertEqual(preview["urgency"], referral["urgency"])
                self.assertEqual(preview["quality"], referral["quality"])


class BrokerAwayTest(unittest.TestCase):
    """Readiness follows the broker: while it is away the intake is not ready (/readyz and the
    gRPC health check) and answers UNAVAILABLE within its publish timeout; back, it serves again.
    Runs last: it kills the test broker (the outage cluster's, which no other test uses meanwhile;
    killed, not stopped, so that no transaction of the services beside it is left open for the
    tests after it: tests/kafka/README.md, "Gotchas")."""

    def test_not_ready_and_unavailable_while_the_broker_is_away(self):
        pipeline = harness.Pipeline("it-intake-away")
        intake = Intake(pipeline, publish_timeout_ms=2000).start()
        try:
            stub = intake.stub(ASP)
            health = grpc_clients.channel(intake.port, intake.certs, client=ASP)
            intake.channels.append(health)
            grpc_clients.wait_health(health, "SERVING", 30)
            self.assertEqual(len(stub.Submit(request(sample("01-domestic-abuse-complete")),
                                             timeout=30).referrals), 1)

            harness.run([harness.BROKER_SH, "kill", harness.STATE_DIR])
            try:
                harness.wait_for(lambda: intake.service.get("/readyz")[0] == 503, 30,
                                 "/readyz to fail")
                self.assertIn("broker unreachable", intake.service.get("/readyz")[1])
                grpc_clients.wait_health(health, "NOT_SERVING", 30)
                with self.assertRaises(grpc.RpcError) as caught:
                    stub.Submit(request(sample("03-child-abuse-immediate")), timeout=30)
                self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)
                self.assertIn("submit it again", caught.exception.details())
                self.assertEqual(intake.submissions("unavailable"), 1)
            finally:
                harness.run([harness.BROKER_SH, "start-again", harness.STATE_DIR])
            intake.service.wait_ready(90)
            grpc_clients.wait_health(health, "SERVING", 30)
            self.assertEqual(len(stub.Submit(request(sample("02-child-neglect-voice-missing")),
                                             timeout=30).referrals), 1)
        finally:
            intake.close()
            pipeline.stop_all()


if __name__ == "__main__":
    suite = unittest.TestSuite()
    loader = unittest.TestLoader()
    suite.addTests(loader.loadTestsFromTestCase(IntakeTest))
    suite.addTests(loader.loadTestsFromTestCase(BrokerAwayTest))  # last: it stops the broker
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
