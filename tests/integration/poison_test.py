"""Hostile input on the real broker (issue 8): poison never blocks a partition, and a partition
that makes no progress makes the service not ready. Run by CTest (label integration) with the
`kafka` fixture; see tests/system/harness.py for the environment it needs."""
import json
import re
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "system"))
import harness  # noqa: E402

DATA = harness.SOURCE / "tests" / "data" / "incidents"


def kcat_lines(topic, partition, lines, content_type, extra=()):
    """Produces each line of `lines` ("key<TAB>value") to `partition` of `topic`."""
    subprocess.run(["kcat", "-b", harness.bootstrap(), "-P", "-t", topic, "-p", str(partition),
                    "-K", "\t", "-H", f"content-type={content_type}", *extra],
                   input=b"".join(line + b"\n" for line in lines), check=True, timeout=60)


def incident_line(key, path):
    return key.encode() + b"\t" + json.dumps(json.loads(Path(path).read_text())).encode()


class HugeKeyTest(unittest.TestCase):
    """Records whose key is about 1 MB (the broker takes batches up to 1,048,588 bytes) and whose
    value does not decode. Before the fix the dead letter of the first (the key and headers alone
    above the producer's default 1,000,000 bytes) was refused for ever: the standardiser aborted
    ~95 transactions a second and the next record on the partition was never processed. Now the
    dead-letter topic the gateway creates takes twice Kafka's default and the producer's limit
    follows the topics', so both are dead-lettered whole, without an abort."""

    @classmethod
    def setUpClass(cls):
        cls.pipeline = harness.Pipeline("it-poison")
        cls.standardiser = cls.pipeline.standardiser()
        cls.standardiser.wait_ready()

    @classmethod
    def tearDownClass(cls):
        cls.pipeline.stop_all()

    def test_dead_letters_are_written_whole_and_the_partition_moves_on(self):
        started = [e for e in self.standardiser.log_events() if e.get("event") == "started"][-1]
        self.assertEqual(started["producer_message_max_bytes"], 2 * 1048588 - 512)
        topic = self.pipeline.topics["incidents"]
        undecodable = b'\t{"eventId": "evt-huge", '
        kcat_lines(topic, 0, [b"a" * 1_000_000 + undecodable, b"b" * 1_047_900 + undecodable],
                   "application/json", ["-X", "message.max.bytes=1048588"])
        kcat_lines(topic, 0, [incident_line("ASP-2026-11-00003",
                                            DATA / "03-child-abuse-immediate.incident.json")],
                   "application/json")
        harness.wait_for(
            lambda: any(r["value"].get("incident", {}).get("incidentId") == "ASP-2026-11-00003"
                        for r in harness.tail([self.pipeline.topics["standardised"]], 2)),
            90, "the referral of the record after the poison ones")
        # Their keys differ, so they may sit on different partitions: order by source offset.
        letters = sorted(harness.tail([self.pipeline.topics["dead_letters"]], 2),
                         key=lambda l: int(l["headers"]["dlq_source_offset"]))
        self.assertEqual([len(l["key"]) for l in letters], [1_000_000, 1_047_900])
        for offset, letter in enumerate(letters):
            self.assertEqual(letter["headers"]["dlq_reason"], "undecodable")
            self.assertEqual(letter["headers"]["dlq_source_offset"], str(offset))
            self.assertEqual(letter["headers"]["dlq_source_topic"], topic)
            self.assertNotIn("dlq_omitted", letter["headers"])
            self.assertEqual(letter["value"], '{"eventId": "evt-huge", ')
        self.assertEqual(self.standardiser.metric("referral_transactions_total", outcome="aborted"), 0)
        self.assertEqual(self.standardiser.metric("referral_records_skipped_total"), 0)
        self.assertEqual(self.standardiser.get("/readyz")[0], 200)


class StalledPartitionTest(unittest.TestCase):
    """A partition whose consumed input waits longer than kafka.stall_limit_ms to commit makes
    /readyz fail naming it, and referral_stalled_partitions shows it; once the input commits the
    service is ready again. The wait is made certain by a commit interval (8 s) longer than the
    stall limit (3 s): the record is consumed at once and commits only at the interval."""

    def test_readyz_names_the_stalled_partition_until_it_commits(self):
        pipeline = harness.Pipeline("it-stall", commit_interval_ms=8000, commit_idle_ms=8000,
                                    kafka_extra={"stall_limit_ms": 3000})
        try:
            standardiser = pipeline.standardiser()
            standardiser.wait_ready()
            incidents = pipeline.topics["incidents"]
            kcat_lines(incidents, 2, [incident_line("ASP-2026-11-00003",
                                                    DATA / "03-child-abuse-immediate.incident.json")],
                       "application/json")

            def stalled():
                status, body = standardiser.get("/readyz")
                return status == 503 and f"making no progress for over 3s: {incidents}-2" in body
            harness.wait_for(stalled, 30, "/readyz to name the stalled partition")
            self.assertEqual(standardiser.metric("referral_stalled_partitions"), 1)
            self.assertGreater(standardiser.metric("referral_oldest_uncommitted_input_seconds"), 3)
            self.assertEqual(standardiser.metric("referral_ready"), 0)
            self.assertEqual(harness.tail([pipeline.topics["standardised"]], 1), [])
            # The transaction commits at its interval: the partition made progress.
            harness.wait_for(lambda: standardiser.get("/readyz")[0] == 200, 30, "ready again")
            self.assertEqual(standardiser.metric("referral_stalled_partitions"), 0)
            self.assertEqual(len(harness.tail([pipeline.topics["standardised"]], 2)), 1)
        finally:
            pipeline.stop_all()


class MaxReferralBytesTest(unittest.TestCase):
    """StandardiserConfig.max_referral_bytes is checked against the routed topics that exist: a
    referral the standardiser may produce must fit its LA's topic once routed."""

    def test_a_limit_the_routed_topics_cannot_take_refuses_the_start(self):
        pipeline = harness.Pipeline("it-maxref")
        try:
            pipeline.router().wait_ready()  # creates the routed topics, Kafka's default limit
            config = json.loads(pipeline.standardiser_config.read_text())
            config["max_referral_bytes"] = 2_000_000
            pipeline.standardiser_config.write_text(json.dumps(config))
            standardiser = harness.Service(
                "standardiser-big", [str(harness.BIN / "standardiser"), "--config",
                                     str(pipeline.standardiser_config), "--instance", "big"],
                pipeline.dir / "standardiser-big.log", pipeline.env())
            pipeline.services.append(standardiser)
            standardiser.start()
            self.assertEqual(standardiser.proc.wait(120), 2)
            [refused] = [e for e in standardiser.log_events() if e["event"] == "config_invalid"]
            self.assertRegex(
                refused["error"],
                rf"max_referral_bytes: 2000000 is more than routed topic "
                rf"{re.escape(pipeline.prefix)}\.referrals\.(edt|frontdoor)\.[A-Za-z0-9]+\.v1 takes "
                rf"with the router's additions \(1040396 of its max\.message\.bytes 1048588\)")
            # The default fits Kafka's default limit exactly.
            config["max_referral_bytes"] = 1048588 - 8192
            pipeline.standardiser_config.write_text(json.dumps(config))
            pipeline.standardiser().wait_ready()
        finally:
            pipeline.stop_all()


if __name__ == "__main__":
    unittest.main(verbosity=2)
