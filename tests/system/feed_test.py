"""The feed on the real broker: a standardiser and router feed referrals to Bristol's front door
and the Avon EDT, and gRPC clients with test certificates subscribe, acknowledge and decide.

Scenarios (argv[1]):
  mailbox   acknowledgements in and out of order, reconnects, ack deadline, flow control, two
            subscriptions, the same incident twice, a new revision, decisions, one disclosure
            record per delivery
  security  no, unknown, expired and wrong-CA certificates, another LA's queue, grants and the
            client CA replaced while running
  crash     kill -9 of the feed mid-stream: nothing lost, nothing sent again unflagged
  twice     one subscription connected twice: the streams share it, nothing unflagged twice, the
            second takes over when the first ends; a graceful feed restart mid-stream
  clients   clients no one here wrote: grpcurl (reflection, health) and the Python inbox example
"""
import copy
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import feed_harness as fh
import harness
from feed_harness import BRISTOL, feed_pb2, grpc

INCIDENT = json.loads((harness.SOURCE / "tests/data/incidents/01-domestic-abuse-complete.incident.json")
                      .read_text())


def incident(n, revision=1, event=None):
    """Incident 01 (a Bristol child, out of hours: front door and Avon EDT) as incident `n`."""
    doc = copy.deepcopy(INCIDENT)
    doc["incidentId"] = f"ASP-TEST-{n:05d}"
    doc["revision"] = str(revision)
    doc["eventId"] = event or f"evt-{n}-r{revision}-{time.time_ns()}"
    return doc


def publish(pipeline, docs):
    path = pipeline.dir / f"publish-{time.time_ns()}.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs))
    harness.referralctl("publish", "--bootstrap", harness.bootstrap(), "--topic",
                        pipeline.topics["incidents"], path)


class Ledger:
    """Every delivery a subscription received, checked as it comes: a referral revision seen
    before must be flagged as a redelivery with a higher attempt."""

    def __init__(self, name):
        self.name = name
        self.seen = {}
        self.count = 0
        self.sent = []  # (delivery id, attempt) of every delivery received

    def add(self, deliveries):
        for d in deliveries:
            key = (d.referral.referral_id, d.referral.revision)
            self.count += 1
            self.sent.append((d.delivery_id, d.attempt))
            if key in self.seen:
                if not d.redelivery or d.attempt <= self.seen[key]:
                    harness.fail(f"{self.name}: {key} sent again unflagged (attempt {d.attempt}, "
                                 f"redelivery {d.redelivery}, before attempt {self.seen[key]})")
            elif d.redelivery and d.attempt == 1:
                harness.fail(f"{self.name}: {key} flagged as a redelivery on attempt 1")
            self.seen[key] = d.attempt
        return deliveries


def start(name, ack_deadline_s=60, **kwargs):
    pipeline = harness.Pipeline(name)
    s, r = pipeline.standardiser(), pipeline.router()
    s.wait_ready()
    r.wait_ready()
    feed = fh.Feed(pipeline, ack_deadline_s=ack_deadline_s, **kwargs)
    return pipeline, feed, feed.start()


def expect_code(call, code, what):
    try:
        result = call()
        if hasattr(result, "__iter__"):
            list(result)
    except grpc.RpcError as e:
        if e.code() != code:
            harness.fail(f"{what}: want {code}, got {e.code()}: {e.details()}")
        return e.details()
    harness.fail(f"{what}: want {code}, got OK")


def mailbox():
    pipeline, feed, f = start("feed-mailbox", ack_deadline_s=4)
    try:
        stub = feed.stub(f)
        lcs = Ledger("lcs")
        publish(pipeline, [incident(n) for n in range(5)])
        call, got = fh.receive(stub, BRISTOL, "lcs", 5)
        call.cancel()
        lcs.add(got)
        if any(d.redelivery or d.attempt != 1 for d in got):
            harness.fail(f"first deliveries flagged: {got}")
        if len({d.referral.referral_id for d in got}) != 5:
            harness.fail("five incidents did not give five referrals")
        if any(d.referral.routing.delivered_to != feed.topics["front_door_template"].replace(
                "{la}", "E06000023") for d in got):
            harness.fail("a delivery is not from Bristol's front door")
        # Out of order: the 5th, 1st and 3rd.
        fh.acknowledge(stub, BRISTOL, "lcs", [got[4], got[0], got[2]])
        # Reconnect: only the 2nd and 4th come again, flagged.
        again = lcs.add(fh.receive_for(stub, BRISTOL, "lcs", 3))
        want = {got[1].delivery_id, got[3].delivery_id}
        if {d.delivery_id for d in again} != want or not all(d.redelivery and d.attempt == 2
                                                              for d in again):
            harness.fail(f"after reconnect: want {want} flagged attempt 2, got "
                         f"{[(d.delivery_id, d.attempt, d.redelivery) for d in again]}")
        # Acknowledged twice (idempotent), then nothing more comes.
        fh.acknowledge(stub, BRISTOL, "lcs", again + again[:1])
        rest = fh.receive_for(stub, BRISTOL, "lcs", 3)
        if rest:
            harness.fail(f"acknowledged referrals came again: {[d.delivery_id for d in rest]}")

        # The ack deadline on an open stream: an unacknowledged delivery comes again, flagged.
        publish(pipeline, [incident(10)])
        stream = lcs.add(fh.receive_for(stub, BRISTOL, "lcs", 7))
        if len(stream) < 2 or stream[0].delivery_id != stream[1].delivery_id or \
                not stream[1].redelivery:
            harness.fail(f"ack deadline: want the delivery twice, got "
                         f"{[(d.delivery_id, d.attempt) for d in stream]}")
        fh.acknowledge(stub, BRISTOL, "lcs", stream[:1])

        # A second subscription of the queue gets every referral, from the start.
        archive = Ledger("archive")
        call, everything = fh.receive(stub, BRISTOL, "archive", 6)
        call.cancel()
        archive.add(everything)
        if len({d.referral.referral_id for d in everything}) != 6:
            harness.fail("the second subscription did not get all six referrals")
        fh.acknowledge(stub, BRISTOL, "archive", everything)

        # The same incident published twice (a control room retrying), then a new revision.
        publish(pipeline, [incident(3, event="retry-of-3"), incident(3, revision=2)])
        fresh = lcs.add(fh.receive_for(stub, BRISTOL, "lcs", 6))
        if [(d.referral.revision, d.attempt) for d in fresh][:1] != [(2, 1)] or \
                any(d.referral.revision == 1 for d in fresh):
            harness.fail(f"retry and revision 2: want revision 2 once, got "
                         f"{[(d.referral.referral_id, d.referral.revision) for d in fresh]}")
        fh.acknowledge(stub, BRISTOL, "lcs", fresh)
        if f.metric("referral_feed_duplicates_skipped_total") < 1:
            harness.fail("the duplicate was not counted")

        # Acknowledgements owed from an earlier stream, arriving while the new stream holds the
        # same referrals back for flow control: the stream goes on and serves what comes next.
        publish(pipeline, [incident(n) for n in range(40, 43)])
        call, owed = fh.receive(stub, BRISTOL, "lcs", 3)
        call.cancel()
        lcs.add(owed)
        call = stub.Subscribe(feed_pb2.SubscribeRequest(subscription="lcs", queue=BRISTOL,
                                                        max_unacknowledged=1), timeout=60)
        lcs.add([next(call)])
        fh.acknowledge(stub, BRISTOL, "lcs", owed)
        time.sleep(2)
        publish(pipeline, [incident(43)])
        after = lcs.add([next(call)])
        call.cancel()
        if after[0].attempt != 1 or after[0].delivery_id in {d.delivery_id for d in owed}:
            harness.fail(f"after the owed acknowledgements: want the new referral, got "
                         f"{after[0].delivery_id} attempt {after[0].attempt}")

        # Flow control: at most 3 outstanding; acknowledging frees room for more.
        publish(pipeline, [incident(n) for n in range(20, 28)])
        call = stub.Subscribe(feed_pb2.SubscribeRequest(subscription="lcs", queue=BRISTOL,
                                                        max_unacknowledged=3), timeout=30)
        first = [next(call) for _ in range(3)]
        lcs.add(first)
        time.sleep(3)
        # Nothing more arrives until something is acknowledged.
        fh.acknowledge(stub, BRISTOL, "lcs", first)
        more = [next(call) for _ in range(3)]
        lcs.add(more)
        call.cancel()
        if len({d.delivery_id for d in first + more}) != 6:
            harness.fail("flow control: the second window repeated the first")

        # Decisions: recorded on the feedback topic; a missing field is named.
        fh.acknowledge(stub, BRISTOL, "lcs", more)
        referral = first[0].referral
        stub.RecordDecision(feed_pb2.RecordDecisionRequest(
            referral_id=referral.referral_id, revision=referral.revision, queue=BRISTOL,
            outcome=feed_pb2.DECISION_OUTCOME_S47_ENQUIRY, decided_at=fh.now_timestamp(),
            decider_role="MASH team manager", reason="strategy discussion held"), timeout=30)
        details = expect_code(lambda: stub.RecordDecision(feed_pb2.RecordDecisionRequest(
            referral_id=referral.referral_id, queue=BRISTOL,
            outcome=feed_pb2.DECISION_OUTCOME_EARLY_HELP, decided_at=fh.now_timestamp()),
            timeout=30), grpc.StatusCode.INVALID_ARGUMENT, "decision without decider_role")
        if "decider_role" not in details:
            harness.fail(f"the error does not name decider_role: {details}")
        if f.metric("referral_feed_decisions_total", outcome="s47_enquiry") != 1:
            harness.fail("the decision was not counted")
        feedback = harness.tail([feed.topics["feedback"]], idle_seconds=4)
        decisions = [r for r in feedback if r["key"] == referral.referral_id]
        if len(decisions) != 1:
            harness.fail(f"want one decision record, got {len(decisions)}")

        # Exactly one disclosure record before each delivery received, of each subscription. A
        # stream cancelled by its client may have disclosed (and sent) more than the client read:
        # those records stay, as the disclosures they were.
        ids = sorted({d.split(":", 3)[3] for ledger in (lcs, archive) for d, _ in ledger.sent})
        audit = harness.referralctl(
            "audit", "--bootstrap", harness.bootstrap(), "--audit-topic", feed.topics["audit"],
            "--feedback-topic", feed.topics["feedback"], "--timeout", 3,
            *[a for i in ids for a in ("--referral", i)]).stdout.decode()
        disclosed = defaultdict(int)
        for line in audit.splitlines():
            event = json.loads(line)
            if event["event"] == "disclosed":
                disclosed[(event["subscription"], event["delivery_id"], event["attempt"])] += 1
        for ledger in (lcs, archive):
            for delivery_id, attempt in ledger.sent:
                if disclosed[(ledger.name, delivery_id, attempt)] != 1:
                    harness.fail(f"{ledger.name}: {delivery_id} attempt {attempt} has "
                                 f"{disclosed[(ledger.name, delivery_id, attempt)]} disclosure "
                                 f"records, want 1")
        twice = [k for k, n in disclosed.items() if n > 1]
        if twice:
            harness.fail(f"disclosed twice with the same attempt: {twice}")
        unseen = sum(disclosed.values()) - lcs.count - archive.count
        print(f"mailbox: {lcs.count} deliveries to lcs, {archive.count} to archive, each with "
              f"one disclosure record; {unseen} more disclosed to streams their clients "
              f"cancelled")
    finally:
        pipeline.stop_all()


def security():
    pipeline, feed, f = start("feed-security")
    try:
        publish(pipeline, [incident(1)])
        bristol = feed.stub(f)
        fh.receive(bristol, BRISTOL, "lcs", 1)[0].cancel()
        subscribe = lambda stub, queue=BRISTOL: stub.Subscribe(  # noqa: E731
            feed_pb2.SubscribeRequest(subscription="lcs", queue=queue), timeout=10)
        expect_code(lambda: subscribe(bristol, "edt/avon"), grpc.StatusCode.PERMISSION_DENIED,
                    "Bristol's front door reading the Avon EDT")
        expect_code(lambda: bristol.Acknowledge(feed_pb2.AcknowledgeRequest(
            subscription="lcs", queue="frontdoor/E06000022", delivery_ids=["0:0:1:x"]),
            timeout=10), grpc.StatusCode.PERMISSION_DENIED, "acknowledging on another queue")
        expect_code(lambda: subscribe(feed.stub(f, client=None)), grpc.StatusCode.UNAUTHENTICATED,
                    "no client certificate")
        expect_code(lambda: subscribe(feed.stub(f, client="somerset-edt")),
                    grpc.StatusCode.UNAUTHENTICATED, "a certificate no grant names")
        expect_code(lambda: subscribe(feed.stub(f, cert="bristol-lcs-expired")),
                    grpc.StatusCode.UNAVAILABLE, "an expired certificate")
        expect_code(lambda: subscribe(feed.stub(f, cert="bristol-lcs-other-ca")),
                    grpc.StatusCode.UNAVAILABLE, "a certificate of another CA")
        expect_code(lambda: bristol.Acknowledge(feed_pb2.AcknowledgeRequest(
            subscription="lcs", queue=BRISTOL, delivery_ids=["not-an-id"]), timeout=10),
            grpc.StatusCode.INVALID_ARGUMENT, "a malformed delivery id")
        # Revoked by config: Bristol's grant removed while running ends its open stream too,
        # before anything more is disclosed.
        call, _ = fh.receive(bristol, BRISTOL, "open", 1)
        feed.write_grants([{"name": "avon-edt", "identities": ["avon-edt"],
                            "queues": ["edt/avon"]}])
        time.sleep(2.5)
        publish(pipeline, [incident(2)])
        expect_code(lambda: list(call), grpc.StatusCode.UNAUTHENTICATED,
                    "an open stream whose grant was removed")
        expect_code(lambda: subscribe(feed.stub(f)), grpc.StatusCode.UNAUTHENTICATED,
                    "a grant removed while running")
        # A grants file that does not load leaves the grants in force.
        feed.grants_path.write_text("grants: [{name: x, queues: [nowhere]}]")
        time.sleep(2.5)
        fh.receive(feed.stub(f, client="avon-edt"), "edt/avon", "edt", 1)[0].cancel()
        if not any(e.get("event") == "grants_reload_refused" for e in f.log_events()):
            harness.fail("a bad grants file was not reported")
        # The client CA replaced while running: the other CA's certificates now pass.
        feed.write_grants([{"name": "bristol-lcs", "identities": ["bristol-lcs"],
                            "queues": [BRISTOL]}])
        replacement = feed.client_ca.with_suffix(".new")
        replacement.write_bytes((feed.certs / "other-ca.pem").read_bytes())
        replacement.rename(feed.client_ca)
        time.sleep(3)
        fh.receive(feed.stub(f, cert="bristol-lcs-other-ca"), BRISTOL, "lcs", 1)[0].cancel()
        expect_code(lambda: subscribe(feed.stub(f)), grpc.StatusCode.UNAVAILABLE,
                    "a certificate of the replaced CA")
        if f.metric("referral_feed_refusals_total", reason="permission_denied") < 2:
            harness.fail("refusals not counted")
        print("security: every refusal as expected")
    finally:
        pipeline.stop_all()


def crash():
    pipeline, feed, f = start("feed-crash")
    try:
        count = 30
        publish(pipeline, [incident(n) for n in range(count)])
        stub = feed.stub(f)
        lcs = Ledger("lcs")
        call, got = fh.receive(stub, BRISTOL, "lcs", 12, max_unacknowledged=12)
        lcs.add(got)
        fh.acknowledge(stub, BRISTOL, "lcs", got[:8])
        time.sleep(0.5)
        f.kill9()
        call.cancel()
        f.start()
        f.wait_ready()
        stub = feed.stub(f)
        acknowledged = {d.delivery_id for d in got[:8]}
        received = []
        deadline = time.time() + 120
        while len({d.referral.referral_id for d in received} | {d.referral.referral_id for d in got[:8]}) < count:
            if time.time() > deadline:
                harness.fail(f"after kill -9 only {len(received)} referrals came back")
            batch = lcs.add(fh.receive_for(stub, BRISTOL, "lcs", 5))
            fh.acknowledge(stub, BRISTOL, "lcs", batch)
            received += batch
        again = [d for d in received if d.delivery_id in acknowledged]
        if again:
            harness.fail(f"acknowledged before the crash, sent again: {len(again)}")
        unacked = {d.delivery_id for d in got[8:]}
        flagged = {d.delivery_id for d in received if d.redelivery}
        if not unacked <= flagged:
            harness.fail(f"unacknowledged before the crash but not flagged: {unacked - flagged}")
        print(f"crash: {count} referrals, {len(received)} after restart, "
              f"{len(flagged)} flagged redeliveries")
    finally:
        pipeline.stop_all()


def twice():
    pipeline, feed, f = start("feed-twice")
    try:
        publish(pipeline, [incident(n) for n in range(4)])
        stub = feed.stub(f)
        lcs = Ledger("lcs")
        first, got = fh.receive(stub, BRISTOL, "lcs", 4)
        lcs.add(got)
        fh.acknowledge(stub, BRISTOL, "lcs", got[:2])
        # The same subscription again, from another connection: the two streams share it through
        # its consumer group, which gives the queue's one partition to one of them. Whichever
        # holds it, nothing is sent unflagged twice: if the second takes the partition, the
        # first's unacknowledged deliveries come to it flagged.
        second = feed.stub(f).Subscribe(feed_pb2.SubscribeRequest(subscription="lcs",
                                                                  queue=BRISTOL), timeout=60)
        import threading
        taken = []
        reader = threading.Thread(target=lambda: [taken.append(d) for d in second], daemon=True)
        reader.start()
        time.sleep(4)
        unacknowledged = sorted(d.delivery_id for d in got[2:])
        if not {d.delivery_id for d in taken} <= set(unacknowledged) or \
                not all(d.redelivery for d in taken):
            harness.fail(f"the second stream: want only flagged {unacknowledged}, got "
                         f"{[(d.delivery_id, d.redelivery) for d in taken]}")
        # When the first ends, the second holds the partition and has them all, flagged.
        first.cancel()
        deadline = time.time() + 30
        while len({d.delivery_id for d in taken}) < 2 and time.time() < deadline:
            time.sleep(0.2)
        second.cancel()
        lcs.add(taken)
        if sorted({d.delivery_id for d in taken}) != unacknowledged or \
                not all(d.redelivery for d in taken):
            harness.fail(f"take-over: want {unacknowledged} flagged, got "
                         f"{[(d.delivery_id, d.redelivery) for d in taken]}")
        fh.acknowledge(stub, BRISTOL, "lcs", taken)

        # A graceful restart (SIGTERM) mid-stream: the stream ends UNAVAILABLE, the client
        # reconnects and loses nothing.
        publish(pipeline, [incident(n) for n in range(10, 14)])
        call, got = fh.receive(stub, BRISTOL, "lcs", 4)
        lcs.add(got)
        fh.acknowledge(stub, BRISTOL, "lcs", got[:1])
        if f.terminate() != 0:
            harness.fail("the feed did not stop cleanly on SIGTERM")
        try:
            list(call)
            harness.fail("the stream ended OK when the feed stopped")
        except grpc.RpcError as e:
            if e.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED):
                harness.fail(f"the stream ended {e.code()} when the feed stopped")
        f.start()
        f.wait_ready()
        again = lcs.add(fh.receive_for(feed.stub(f), BRISTOL, "lcs", 5))
        if sorted(d.delivery_id for d in again) != sorted(d.delivery_id for d in got[1:]):
            harness.fail(f"after a restart: want {[d.delivery_id for d in got[1:]]}, got "
                         f"{[d.delivery_id for d in again]}")
        print("twice: two streams shared a subscription, the second took over; a restart lost "
              "nothing")
    finally:
        pipeline.stop_all()


def clients():
    pipeline, feed, f = start("feed-clients")
    try:
        port = feed.grpc_port(f)
        certs = feed.certs
        grpcurl = [str(harness.SOURCE / "build/tools/bin/grpcurl"), "-cacert", certs / "ca.pem",
                   "-cert", certs / "bristol-lcs.pem", "-key", certs / "bristol-lcs.key"]
        listed = harness.run([*grpcurl, f"localhost:{port}", "list"]).stdout.decode().split()
        for service in ("referral.v1.ReferralFeed", "grpc.health.v1.Health",
                        "grpc.reflection.v1alpha.ServerReflection"):
            if service not in listed:
                harness.fail(f"grpcurl list: {service} missing from {listed}")
        # gRPC's C++ health service registers no descriptor for reflection: its proto comes from
        # Debian's grpc-proto.
        health = harness.run([*grpcurl, "-import-path", "/usr/share/grpc-proto", "-proto",
                              "grpc/health/v1/health.proto", f"localhost:{port}",
                              "grpc.health.v1.Health/Check"])
        if json.loads(health.stdout)["status"] != "SERVING":
            harness.fail(f"health: {health.stdout}")
        described = harness.run([*grpcurl, f"localhost:{port}", "describe",
                                 "referral.v1.ReferralFeed"]).stdout.decode()
        if "rpc Subscribe" not in described:
            harness.fail(f"grpcurl describe: {described}")

        publish(pipeline, [incident(n) for n in range(3)])
        inbox = harness.SOURCE / "examples/python-la-inbox/inbox.py"
        connection = ["--target", f"localhost:{port}", "--cert", certs / "bristol-lcs.pem",
                      "--key", certs / "bristol-lcs.key", "--ca", certs / "ca.pem",
                      "--stubs", fh.STUBS]
        out = pipeline.dir / "inbox"
        harness.run([sys.executable, inbox, "receive", *connection, "--queue", BRISTOL,
                     "--subscription", "inbox", "--out", out, "--max", 3], timeout=120)
        files = sorted(out.glob("*.json"))
        if len(files) != 3:
            harness.fail(f"the inbox wrote {len(files)} files, want 3")
        referral = json.loads(files[0].read_text())
        # Everything it wrote it acknowledged: nothing is outstanding for its subscription.
        left = fh.receive_for(feed.stub(f), BRISTOL, "inbox", 3)
        if left:
            harness.fail(f"the inbox's deliveries came again: {[d.delivery_id for d in left]}")
        harness.run([sys.executable, inbox, "decide", *connection, referral["referralId"],
                     referral["revision"], BRISTOL, "early_help", "--decider-role",
                     "MASH team manager"], timeout=60)
        if f.metric("referral_feed_decisions_total", outcome="early_help") != 1:
            harness.fail("the inbox's decision was not recorded")
        # referralctl: subscribe and acknowledge, decide, and the audit of who received what.
        tls = ["--target", f"localhost:{port}", "--cert", certs / "bristol-lcs.pem",
               "--key", certs / "bristol-lcs.key", "--ca", certs / "ca.pem"]
        lines = harness.referralctl("subscribe", *tls, "--queue", BRISTOL, "--subscription",
                                    "ctl", "--ack", "--count", 3, timeout=120).stdout.decode()
        if len(lines.splitlines()) != 3 or "attempt 1" not in lines:
            harness.fail(f"referralctl subscribe printed:\n{lines}")
        harness.referralctl("decide", *tls, referral["referralId"], "s17_assessment",
                            "--revision", referral["revision"], "--queue", BRISTOL,
                            "--role", "EDT social worker")
        audit = harness.referralctl(
            "audit", "--bootstrap", harness.bootstrap(), "--referral", referral["referralId"],
            "--audit-topic", feed.topics["audit"], "--feedback-topic", feed.topics["feedback"],
            "--timeout", 3).stdout.decode()
        events = [json.loads(line) for line in audit.splitlines()]
        disclosed = sorted(e["subscription"] for e in events if e["event"] == "disclosed")
        if disclosed != ["ctl", "inbox"] or \
                sum(e["event"] == "acknowledged" for e in events) != 2 or \
                sum(e["event"] == "decided" for e in events) != 2 or \
                any(e["event"] == "disclosed" and not e["lawful_basis"] for e in events):
            harness.fail(f"referralctl audit:\n{audit}")
        print("clients: grpcurl listed and checked health; the inbox wrote, acknowledged, "
              "decided; referralctl subscribed, decided and audited")
    finally:
        pipeline.stop_all()


if __name__ == "__main__":
    {"mailbox": mailbox, "security": security, "crash": crash, "twice": twice,
     "clients": clients}[sys.argv[1]]()
