"""System test of hostile input (issue 9) on the real Kafka broker: every record of the hostile
corpus (tests/data/hostile/generate.py) is published between good records, each on the partition
of the good one after it. Then, for each: the services are still up; the good record after it
is delivered to its LA; the hostile one is dead-lettered with the expected reason, or referred
with its unrecognised values listed; no log line or metric label holds a personal value (each
hostile record carries CANARY); and `referralctl tail` prints every topic involved."""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import harness

sys.path.insert(0, str(harness.SOURCE / "tests" / "data" / "hostile"))
import generate  # noqa: E402

GOOD = harness.SOURCE / "tests" / "data" / "incidents" / "03-child-abuse-immediate.incident.json"
PARTITIONS = 6


def publish(topic, partition, key, value, headers):
    """One record, whatever its key, value and headers (kcat: a file argument is one message,
    but an empty file none; a huge key or an empty value goes with -K through stdin)."""
    args = ["kcat", "-b", harness.bootstrap(), "-P", "-t", topic, "-p", str(partition),
            "-X", "message.max.bytes=1048588"]
    for name, value_ in headers:
        args += ["-H", f"{name}={value_}"]
    if len(key) > 100_000 or not value:
        subprocess.run(args + ["-K", "\t"], input=key.encode() + b"\t" + value + b"\n",
                       check=True, timeout=60)
        return
    with tempfile.NamedTemporaryFile(suffix=".msg") as message:
        message.write(value)
        message.flush()
        subprocess.run(args + ["-k", key, message.name], check=True, timeout=60)


def good_incident(n):
    incident = json.loads(GOOD.read_text())
    incident["incidentId"] = f"GOOD-{n:02d}"
    incident["eventId"] = f"evt-good-{n:02d}"
    return json.dumps(incident).encode()


def main():
    cases = generate.cases()
    pipeline = harness.Pipeline("sys-hostile")
    try:
        standardiser = pipeline.standardiser()
        router = pipeline.router()
        standardiser.wait_ready()
        router.wait_ready()
        topic = pipeline.topics["incidents"]
        offsets = [0] * PARTITIONS
        placed = []  # (case, partition, offset of the hostile record)
        for n, case in enumerate(cases):
            name, key, value, headers, expected = case
            partition = n % PARTITIONS
            publish(topic, partition, key, value, headers)
            placed.append((case, partition, offsets[partition]))
            publish(topic, partition, f"GOOD-{n:02d}", good_incident(n),
                    [("content-type", "application/json")])
            offsets[partition] += 2
        print(f"published {len(cases)} hostile records, each followed by a good one", flush=True)

        def routed_incidents():
            for service in (standardiser, router):
                service.check_alive()
            return {r["value"].get("incident", {}).get("incidentId")
                    for r in harness.tail(pipeline.output_topics(), idle_seconds=3)}
        want_good = {f"GOOD-{n:02d}" for n in range(len(cases))}
        harness.wait_for(lambda: want_good <= routed_incidents(), 180,
                         "every good record after a hostile one to be routed")

        letters = harness.tail([pipeline.topics["dead_letters"]], idle_seconds=3)
        by_source = {(int(l["headers"]["dlq_source_partition"]),
                      int(l["headers"]["dlq_source_offset"])): l for l in letters}
        standardised = harness.tail([pipeline.topics["standardised"]], idle_seconds=3)
        by_incident = {}
        for r in standardised:
            by_incident.setdefault(r["value"].get("incident", {}).get("incidentId"), []).append(r)
        failures = []
        for (name, key, value, headers, expected), partition, offset in placed:
            if expected[0] == "dead_letter":
                letter = by_source.get((partition, offset))
                if letter is None:
                    failures.append(f"{name}: no dead letter for {partition}/{offset}")
                elif letter["headers"]["dlq_reason"] != expected[1]:
                    failures.append(f"{name}: dlq_reason {letter['headers']['dlq_reason']}, "
                                    f"want {expected[1]} ({letter['headers'].get('dlq_errors')})")
                elif len(letter["key"] or "") != len(key) or letter["headers"].get("dlq_omitted"):
                    failures.append(f"{name}: dead letter not whole")
            else:
                incident_id = json.loads(value)["incidentId"]
                referrals = by_incident.get(incident_id, [])
                if not referrals:
                    failures.append(f"{name}: {incident_id} was not referred")
                    continue
                paths = [u["fieldPath"] for r in referrals
                         for u in r["value"].get("unrecognisedValues", [])]
                if expected[1] and not any(p.endswith(expected[1]) for p in paths):
                    failures.append(f"{name}: unrecognised {expected[1]} not listed ({paths})")
        big = by_incident.get("HOSTILE-BIG", [])
        if not big or int(big[0]["value"].get("narrativeTruncatedBytes", 0)) <= 0:
            failures.append("incident-of-a-megabyte: narrative not cut and marked")

        for service in (standardiser, router):
            service.check_alive()
            log = Path(service.log_path).read_text(errors="replace")
            if generate.CANARY in log:
                failures.append(f"{service.name}: a personal value in its log")
            if generate.CANARY in service.get("/metrics")[1]:
                failures.append(f"{service.name}: a personal value in its metrics")

        for topics in ([topic], [pipeline.topics["dead_letters"]], [pipeline.topics["standardised"]],
                       pipeline.output_topics()):
            result = harness.run([harness.BIN / "referralctl", "tail", "--bootstrap",
                                  harness.bootstrap(), "--envelope", "--timeout", "3", *topics],
                                 check=False, timeout=600)
            if result.returncode != 0:
                failures.append(f"tail {topics}: exit {result.returncode}: "
                                f"{result.stderr.decode()[-500:]}")
            else:
                for line in result.stdout.splitlines():
                    json.loads(line)

        if failures:
            harness.fail("hostile input:\n  " + "\n  ".join(failures))
        print(f"hostile: {len(cases)} records each handled as expected; every good record after "
              "them routed; no personal value in logs or metrics; tail printed every topic")
    finally:
        pipeline.stop_all()


if __name__ == "__main__":
    main()
