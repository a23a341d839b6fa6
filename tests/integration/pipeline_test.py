"""Integration tests: the standardiser and router binaries on the real Kafka broker, fed by
kcat (JSON and protobuf) and read back read_committed. Run by CTest (label integration) with the
`kafka` fixture; see tests/system/harness.py for the environment it needs."""
import json
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "system"))
import harness  # noqa: E402

DATA = harness.SOURCE / "tests" / "data" / "incidents"
PROTO_INCIDENT = Path(__file__).resolve().parent / "data" / "child-neglect-somerset.incident.txtpb"


def kcat_produce(topic, key, value, content_type):
    """One record: kcat sends each file argument as one message (stdin would split at newlines,
    which binary protobuf contains)."""
    with tempfile.NamedTemporaryFile(suffix=".msg") as message:
        message.write(value)
        message.flush()
        subprocess.run(["kcat", "-b", harness.bootstrap(), "-P", "-t", topic, "-k", key,
                        "-H", f"content-type={content_type}", message.name],
                       check=True, timeout=60)


def compact_json(path):
    return json.dumps(json.loads(Path(path).read_text())).encode()


class OutOfHoursPipelineTest(unittest.TestCase):
    """Saturday 02:00: every referral goes to its EDT plus a handover copy to the front door."""

    @classmethod
    def setUpClass(cls):
        cls.pipeline = harness.Pipeline("it-ooh")
        cls.standardiser = cls.pipeline.standardiser()
        cls.router = cls.pipeline.router(clock_start=harness.OUT_OF_HOURS)
        cls.standardiser.wait_ready()
        cls.router.wait_ready()

    @classmethod
    def tearDownClass(cls):
        cls.pipeline.stop_all()

    def routed(self, referral_id, count):
        records = harness.tail(self.pipeline.output_topics(), idle_seconds=5)
        mine = [r for r in records if r["key"] == referral_id]
        if len(mine) < count:
            harness.wait_for(lambda: len([r for r in harness.tail(self.pipeline.output_topics(), 3)
                                          if r["key"] == referral_id]) >= count, 60,
                             f"{count} copies of {referral_id}")
            records = harness.tail(self.pipeline.output_topics(), idle_seconds=5)
            mine = [r for r in records if r["key"] == referral_id]
        return mine

    def test_json_incident_from_kcat_goes_to_edt_and_front_door(self):
        incident = DATA / "01-domestic-abuse-complete.incident.json"
        kcat_produce(self.pipeline.topics["incidents"], "ASP-2026-11-00001", compact_json(incident),
                     "application/json")
        expected = harness.expected_deliveries(incident, harness.OUT_OF_HOURS)
        (referral_id, _), = {k for k in expected if k[1].startswith("referrals.edt.")}
        copies = self.routed(referral_id, 2)
        self.assertEqual(sorted(r["topic"] for r in copies),
                         [self.pipeline.topic("edt_template", edt="avon"),
                          self.pipeline.topic("front_door_template", la="E06000023")])
        by_topic = {r["topic"]: r for r in copies}
        edt = by_topic[self.pipeline.topic("edt_template", edt="avon")]
        front_door = by_topic[self.pipeline.topic("front_door_template", la="E06000023")]
        self.assertEqual(edt["value"]["routing"]["window"], "OUT_OF_HOURS")
        self.assertEqual(edt["value"]["routing"]["ruleId"], "out_of_hours.edt_with_handover")
        self.assertNotIn("handover", edt["value"]["routing"])
        self.assertTrue(front_door["value"]["routing"]["handover"])
        self.assertEqual(edt["value"]["incident"]["incidentId"], "ASP-2026-11-00001")
        headers = edt["headers"]
        self.assertEqual(headers["content-type"], "application/x-protobuf")
        self.assertEqual(headers["ce_specversion"], "1.0")
        self.assertEqual(headers["ce_source"], "/referral-gateway/router")
        self.assertEqual(headers["ce_id"], f"{referral_id}.r1.{edt['topic']}")
        self.assertRegex(headers["ce_time"], r"^2026-11-28T02:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(delivered_pairs(self.pipeline, copies), set(expected))

    def test_protobuf_incident_from_kcat_goes_to_somerset_edt(self):
        binary = subprocess.run(
            ["protoc", "--encode=referral.v1.IncidentEvent", f"--proto_path={harness.SOURCE / 'proto'}",
             "referral/v1/incident.proto"],
            input=PROTO_INCIDENT.read_bytes(), capture_output=True, check=True).stdout
        kcat_produce(self.pipeline.topics["incidents"], "ASP-IT-PB-0001", binary,
                     "application/x-protobuf")
        harness.wait_for(
            lambda: any(r["value"].get("incident", {}).get("incidentId") == "ASP-IT-PB-0001"
                        for r in harness.tail([self.pipeline.topics["standardised"]], 2)),
            60, "the protobuf incident's referral")
        standardised = [r for r in harness.tail([self.pipeline.topics["standardised"]], 2)
                        if r["value"]["incident"]["incidentId"] == "ASP-IT-PB-0001"]
        self.assertEqual(len(standardised), 1)
        referral = standardised[0]
        self.assertEqual(referral["value"]["laCode"], "E06000066")
        self.assertEqual(referral["headers"]["ce_source"], "/referral-gateway/standardiser")
        copies = self.routed(referral["key"], 2)
        self.assertEqual(sorted(r["topic"] for r in copies),
                         [self.pipeline.topic("edt_template", edt="somerset"),
                          self.pipeline.topic("front_door_template", la="E06000066")])

    def test_malformed_input_is_dead_lettered_and_the_partition_keeps_flowing(self):
        key = "ASP-2026-11-00003"  # same key, same partition: the valid one comes after
        kcat_produce(self.pipeline.topics["incidents"], key, b'{"eventId": "evt-broken", ',
                     "application/json")
        kcat_produce(self.pipeline.topics["incidents"], key, b"<incident/>", "text/xml")
        kcat_produce(self.pipeline.topics["incidents"], key,
                     compact_json(DATA / "03-child-abuse-immediate.incident.json"), "application/json")
        harness.wait_for(lambda: len([r for r in harness.tail([self.pipeline.topics["dead_letters"]], 2)
                                      if r["key"] == key]) >= 2, 60, "two dead letters")
        letters = [r for r in harness.tail([self.pipeline.topics["dead_letters"]], 2) if r["key"] == key]
        self.assertEqual([l["headers"]["dlq_reason"] for l in letters],
                         ["undecodable", "unsupported_content_type"])
        first = letters[0]
        self.assertEqual(first["value"], '{"eventId": "evt-broken", ')
        self.assertEqual(first["headers"]["dlq_source_topic"], self.pipeline.topics["incidents"])
        self.assertEqual(first["headers"]["dlq_service"], "standardiser")
        self.assertRegex(first["headers"]["dlq_errors"], r"^value: invalid JSON")
        self.assertEqual(int(letters[1]["headers"]["dlq_source_offset"]),
                         int(first["headers"]["dlq_source_offset"]) + 1)
        self.assertEqual(letters[1]["headers"]["dlq_source_partition"],
                         first["headers"]["dlq_source_partition"])
        self.assertIn('content-type: unsupported "text/xml"', letters[1]["headers"]["dlq_errors"])
        expected = harness.expected_deliveries(DATA / "03-child-abuse-immediate.incident.json",
                                               harness.OUT_OF_HOURS)
        referral_id = next(iter(expected))[0]
        self.assertEqual(delivered_pairs(self.pipeline, self.routed(referral_id, len(expected))),
                         set(expected))
        self.assertGreaterEqual(self.standardiser.metric("referral_dead_letters_total",
                                                         reason="undecodable"), 1)

    def test_invalid_incident_is_dead_lettered_with_its_field_errors(self):
        incident = json.loads((DATA / "01-domestic-abuse-complete.incident.json").read_text())
        incident["incidentId"] = "ASP-IT-INVALID-1"
        incident["reportedAt"] = "2026-11-20T21:00:00Z"  # before occurredAt
        incident["persons"][0]["dateOfBirth"] = "2099-01-01"
        kcat_produce(self.pipeline.topics["incidents"], "ASP-IT-INVALID-1",
                     json.dumps(incident).encode(), "application/json")
        harness.wait_for(lambda: any(r["key"] == "ASP-IT-INVALID-1" for r in
                                     harness.tail([self.pipeline.topics["dead_letters"]], 2)),
                         60, "the invalid incident's dead letter")
        letter = next(r for r in harness.tail([self.pipeline.topics["dead_letters"]], 2)
                      if r["key"] == "ASP-IT-INVALID-1")
        self.assertEqual(letter["headers"]["dlq_reason"], "invalid")
        errors = letter["headers"]["dlq_errors"].split("\n")
        self.assertIn("reported_at: before occurred_at", errors)
        self.assertTrue(any(e.startswith("persons[0].date_of_birth: ") for e in errors), errors)

    def test_ready_and_metrics(self):
        # Ready once it holds its partitions. Tests share the broker two at a time, so a heartbeat
        # late under load may cost the group a rebalance ("no input partitions assigned") first.
        harness.wait_for(lambda: self.router.get("/readyz") == (200, "ready\n"), 30,
                         "the router ready with its partitions")
        self.assertEqual(self.router.get("/healthz")[0], 200)
        self.assertEqual(self.router.metric("referral_ready"), 1)
        self.assertEqual(self.router.metric("referral_assigned_partitions"), 6)
        self.assertEqual(self.router.metric("referral_build_info", service="router"), 1)
        # The lag series of the router's input topic is there (caught up: at most the few
        # records of the tests running beside this one).
        _, text = self.router.get("/metrics")
        lag_series = f'referral_consumer_lag_records{{topic="{self.pipeline.topics["standardised"]}"}}'
        self.assertIn(lag_series, text)


class InHoursPipelineTest(unittest.TestCase):
    """Wednesday 10:00: front door only."""

    def test_in_hours_referral_goes_to_the_front_door_only(self):
        pipeline = harness.Pipeline("it-inhours", output_encoding="JSON")
        try:
            standardiser = pipeline.standardiser()
            router = pipeline.router(clock_start=harness.IN_HOURS)
            incident = DATA / "01-domestic-abuse-complete.incident.json"
            kcat_produce(pipeline.topics["incidents"], "ASP-2026-11-00001", compact_json(incident),
                         "application/json")
            router.wait_ready()
            harness.wait_for(lambda: harness.tail(pipeline.output_topics(), 2), 60, "a routed referral")
            records = harness.tail(pipeline.output_topics(), idle_seconds=4)
            self.assertEqual([r["topic"] for r in records],
                             [pipeline.topic("front_door_template", la="E06000023")])
            self.assertEqual(records[0]["headers"]["content-type"], "application/json")
            self.assertEqual(records[0]["value"]["routing"]["window"], "IN_HOURS")
            self.assertEqual(records[0]["value"]["routing"]["ruleId"], "in_hours.front_door")
            self.assertEqual(delivered_pairs(pipeline, records),
                             set(harness.expected_deliveries(incident, harness.IN_HOURS)))
            # SIGTERM drains and exits 0.
            self.assertEqual(router.terminate(), 0)
            self.assertEqual(standardiser.terminate(), 0)
        finally:
            pipeline.stop_all()


def delivered_pairs(pipeline, records):
    return set(harness.delivered(pipeline, records))


def end_offsets(topic, isolation, partitions=6):
    """The sum of the topic's end offsets as a reader at `isolation` sees them (read_committed:
    the last stable offsets)."""
    total = 0
    for partition in range(partitions):
        out = subprocess.run(["kcat", "-b", harness.bootstrap(), "-X", f"isolation.level={isolation}",
                              "-Q", "-t", f"{topic}:{partition}:-1"],
                             capture_output=True, text=True, check=True, timeout=60).stdout
        total += int(re.search(r"offset (\d+)", out).group(1))
    return total


class ConsumerLagTest(unittest.TestCase):
    """referral_consumer_lag_records counts to the last stable offset: the records of a
    transaction still open upstream are not lag (a reader cannot have them yet)."""

    def test_records_of_an_open_upstream_transaction_are_not_lag(self):
        # Transactions held open for up to a second (1,000 records), so a freeze lands in one.
        pipeline = harness.Pipeline("it-lag", commit_interval_ms=2000, commit_idle_ms=2000)
        try:
            standardiser = pipeline.standardiser()
            router = pipeline.router(clock_start=harness.OUT_OF_HOURS)
            standardiser.wait_ready()
            router.wait_ready()
            topic = pipeline.topics["standardised"]
            feed = subprocess.Popen(
                [str(harness.BIN / "referralctl"), "simulate", "--bootstrap", harness.bootstrap(),
                 "--config", str(pipeline.standardiser_config), "--seed", "7", "--rate", "1000",
                 "--duration", "60"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                for _ in range(10):
                    time.sleep(1)
                    # Freeze the standardiser, most likely inside a transaction whose records
                    # are already on the broker; the router reads up to them and waits.
                    standardiser.proc.send_signal(signal.SIGSTOP)
                    try:
                        time.sleep(4)  # the router catches up; statistics come every second
                        open_records = (end_offsets(topic, "read_uncommitted") -
                                        end_offsets(topic, "read_committed"))
                        if open_records == 0:
                            continue  # frozen between two transactions: try again
                        lag = router.metric("referral_consumer_lag_records", topic=topic)
                        print(f"standardiser frozen with {open_records} records in an open "
                              f"transaction; router lag {lag:.0f}", flush=True)
                        self.assertEqual(lag, 0, f"{open_records} records of an open upstream "
                                         "transaction counted as lag")
                        return
                    finally:
                        standardiser.proc.send_signal(signal.SIGCONT)
                self.fail("never froze the standardiser inside an open transaction")
            finally:
                feed.kill()
                feed.wait()
        finally:
            pipeline.stop_all()


if __name__ == "__main__":
    unittest.main(verbosity=2)
