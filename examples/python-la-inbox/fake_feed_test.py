#!/usr/bin/env python3
"""Tests inbox.py against a fake ReferralFeed on localhost, with mutual TLS.

Run with the tools venv (make deps):
    build/tools/venv/bin/python examples/python-la-inbox/fake_feed_test.py

It makes throw-away certificates (scripts/dev-certs.sh) and stubs (scripts/gen-python-stubs.sh)
in a temporary folder, serves two deliveries from an in-process fake feed that checks the client
certificate, and runs inbox.py as a user would, in a subprocess. Exits non-zero on any failure.
The fake is not the real feed: it checks what the inbox does, not what the feed does.
"""

import os
import subprocess
import sys
import tempfile
import threading
from concurrent import futures

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
INBOX = os.path.join(HERE, "inbox.py")

SUBSCRIPTION = "bristol-lcs"
QUEUE = "frontdoor/E06000023"
# Personal data in the fake referrals, which must never appear in the inbox's output.
CHILD_NAME = "Zebedee Quistorff"
NARRATIVE = "Neighbour heard shouting at Flat 9"
REASON = "Mother says the father has moved out"

passed = []
failures = []

# The fake's gRPC logs each refused handshake at INFO; only the checks' lines matter here.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    (passed if condition else failures).append(what)


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=60, **kwargs)


def setup(work):
    """Makes certificates and stubs in `work`; returns (certs, stubs) folders."""
    certs, stubs = os.path.join(work, "certs"), os.path.join(work, "stubs")
    for command, env in (
        ([os.path.join(ROOT, "scripts", "dev-certs.sh"), certs, SUBSCRIPTION], None),
        (
            [os.path.join(ROOT, "scripts", "gen-python-stubs.sh"), stubs],
            dict(os.environ, PYTHON=sys.executable),
        ),
    ):
        result = run(command, env=env)
        if result.returncode != 0:
            sys.exit(f"{command[0]} failed:\n{result.stderr}")
    return certs, stubs


def main():
    with tempfile.TemporaryDirectory(prefix="fake-feed-test-") as work:
        certs, stubs = setup(work)
        sys.path.insert(0, stubs)
        import grpc
        from google.protobuf import json_format
        from referral.v1 import feed_pb2, feed_pb2_grpc, incident_pb2, referral_pb2

        def pem(name):
            with open(os.path.join(certs, name), "rb") as f:
                return f.read()

        class FakeFeed(feed_pb2_grpc.ReferralFeedServicer):
            """Serves every delivery not yet acknowledged, then holds the stream open."""

            def __init__(self, deliveries):
                self.deliveries = deliveries  # (delivery_id, Referral), in queue order
                self.lock = threading.Lock()
                self.acknowledged = set()
                self.ack_calls = []  # the delivery_ids of each Acknowledge call
                self.attempts = {}
                self.decisions = []
                self.out_dir = None  # where the inbox writes: acknowledged files must be there
                self.acked_before_written = []

            def _authorise(self, context, queue):
                names = context.auth_context().get("x509_common_name", [])
                if names != [SUBSCRIPTION.encode()] or queue != QUEUE:
                    context.abort(grpc.StatusCode.PERMISSION_DENIED, f"may not read {queue}")

            def Subscribe(self, request, context):
                self._authorise(context, request.queue)
                for delivery_id, referral in self.deliveries:
                    with self.lock:
                        if delivery_id in self.acknowledged:
                            continue
                        attempt = self.attempts[delivery_id] = self.attempts.get(delivery_id, 0) + 1
                    yield feed_pb2.Delivery(
                        delivery_id=delivery_id,
                        referral=referral,
                        attempt=attempt,
                        redelivery=attempt > 1,
                    )
                closed = threading.Event()
                context.add_callback(closed.set)
                closed.wait(30)

            def Acknowledge(self, request, context):
                self._authorise(context, request.queue)
                files = {d: f"{r.referral_id}-r{r.revision}.json" for d, r in self.deliveries}
                with self.lock:
                    self.ack_calls.append(list(request.delivery_ids))
                    self.acknowledged.update(request.delivery_ids)
                    self.acked_before_written += [
                        d
                        for d in request.delivery_ids
                        if d not in files
                        or not os.path.exists(os.path.join(self.out_dir, files[d]))
                    ]
                return feed_pb2.AcknowledgeResponse()

            def RecordDecision(self, request, context):
                self._authorise(context, request.queue)
                with self.lock:
                    self.decisions.append(request)
                return feed_pb2.RecordDecisionResponse()

            def forget_acknowledgements(self):
                with self.lock:
                    self.acknowledged.clear()
                    self.ack_calls.clear()

        def make_referral(referral_id, revision):
            referral = referral_pb2.Referral(
                referral_id=referral_id, revision=revision, la_code="E06000023", narrative=NARRATIVE
            )
            given, family = CHILD_NAME.split()
            referral.children.append(incident_pb2.Person(given_name=given, family_name=family))
            return referral

        ids = ("3f1c1b7e-0000-5000-8000-000000000001", "3f1c1b7e-0000-5000-8000-000000000002")
        feed = FakeFeed([("q0-17", make_referral(ids[0], 1)), ("q0-18", make_referral(ids[1], 3))])
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        feed_pb2_grpc.add_ReferralFeedServicer_to_server(feed, server)
        port = server.add_secure_port(
            "127.0.0.1:0",
            grpc.ssl_server_credentials(
                [(pem("server.key"), pem("server.pem"))],
                root_certificates=pem("ca.pem"),
                require_client_auth=True,
            ),
        )
        server.start()
        try:
            exercise(feed, port, certs, stubs, work, ids, json_format, referral_pb2, feed_pb2)
        finally:
            server.stop(0)

    print(f"fake_feed_test: {len(passed)} passed, {len(failures)} failed", flush=True)
    return 1 if failures else 0


def exercise(feed, port, certs, stubs, work, ids, json_format, referral_pb2, feed_pb2):
    out = feed.out_dir = os.path.join(work, "inbox")

    def inbox(*args, client=SUBSCRIPTION):
        connection = [
            f"--target=localhost:{port}",
            f"--cert={os.path.join(certs, client + '.pem')}",
            f"--key={os.path.join(certs, client + '.key')}",
            f"--ca={os.path.join(certs, 'ca.pem')}",
            f"--stubs={stubs}",
        ]
        return run([sys.executable, INBOX, args[0], *connection, *args[1:]])

    def receive(*args, client=SUBSCRIPTION, queue=QUEUE):
        return inbox(
            "receive",
            f"--queue={queue}",
            f"--subscription={SUBSCRIPTION}",
            f"--out={out}",
            *args,
            client=client,
        )

    def no_personal_data(result, what):
        output = result.stdout + result.stderr
        check(
            not any(s in output for s in (CHILD_NAME.split()[0], "Flat 9", "moved out")),
            f"{what}: no personal data in the output",
        )

    files = [os.path.join(out, f"{ids[0]}-r1.json"), os.path.join(out, f"{ids[1]}-r3.json")]

    # 1. Two deliveries: two files, then exactly those two ids acknowledged.
    result = receive("--max=2")
    check(
        result.returncode == 0,
        f"receive --max 2 exits 0 (got {result.returncode}: {result.stderr.strip()})",
    )
    listed = sorted(os.listdir(out)) if os.path.isdir(out) else []
    check(
        listed == sorted(os.path.basename(f) for f in files),
        f"two files and nothing else in the inbox: {listed}",
    )
    if failures:
        return  # the checks below read those files
    acked = [i for call in feed.ack_calls for i in call]
    check(
        sorted(acked) == ["q0-17", "q0-18"],
        f"exactly q0-17 and q0-18 acknowledged, once each: {acked}",
    )
    check(feed.acked_before_written == [], "each delivery acknowledged only once its file exists")
    for (_, referral), path in zip(feed.deliveries, files):
        with open(path) as f:
            written = json_format.Parse(f.read(), referral_pb2.Referral())
        check(written == referral, f"{os.path.basename(path)} holds the referral")
        check(
            os.stat(path).st_mode & 0o077 == 0,
            f"{os.path.basename(path)} is readable by its owner only",
        )
    lines = result.stdout.splitlines()
    check(
        len(lines) == 2
        and "delivery=q0-17" in lines[0]
        and f"referral={ids[0]}" in lines[0]
        and "attempt=1" in lines[0]
        and "redelivery=false" in lines[0],
        f"one line per delivery with its ids: {lines}",
    )
    no_personal_data(result, "receive")
    before = [open(f, "rb").read() for f in files]

    # 2. Both sent again as redeliveries (acknowledgements lost): same files, same content.
    feed.forget_acknowledgements()
    result = receive("--max=2")
    check(result.returncode == 0, "receive of redeliveries exits 0")
    check([open(f, "rb").read() for f in files] == before, "redeliveries rewrite the same content")
    check(len(os.listdir(out)) == 2, "redeliveries add no file")
    check(
        sorted(i for call in feed.ack_calls for i in call) == ["q0-17", "q0-18"],
        "redeliveries acknowledged",
    )
    lines = result.stdout.splitlines()
    check(
        len(lines) == 2 and all("attempt=2" in l and "redelivery=true" in l for l in lines),
        f"redeliveries flagged: {lines}",
    )

    # 3. Nothing left: --idle-exit ends the run, status 0, no delivery line.
    result = receive("--idle-exit=1")
    check(
        result.returncode == 0 and result.stdout == "",
        f"--idle-exit with an empty queue exits 0: {result.stderr.strip()}",
    )

    # 4. A queue the certificate is not granted: a clear refusal, status 1.
    result = receive("--max=1", queue="frontdoor/E06000022")
    check(
        result.returncode == 1 and "PERMISSION_DENIED" in result.stderr,
        f"another LA's queue is refused: {result.returncode} {result.stderr.strip()}",
    )

    # 5. An expired client certificate: the feed closes every connection; --idle-exit gives up.
    result = receive("--idle-exit=2", client=f"{SUBSCRIPTION}-expired")
    check(
        result.returncode == 1 and "unreachable" in result.stderr and "--cert" in result.stderr,
        f"an expired certificate ends in failure: {result.returncode} {result.stderr[-200:]}",
    )

    # 6. A decision.
    result = inbox(
        "decide",
        ids[1],
        "3",
        QUEUE,
        "Early_Help",
        "--decider-role=MASH team manager",
        f"--reason={REASON}",
        "--decided-at=2026-11-27T18:05:00Z",
    )
    check(result.returncode == 0, f"decide exits 0: {result.stderr.strip()}")
    decision = feed.decisions[-1] if feed.decisions else feed_pb2.RecordDecisionRequest()
    check(
        decision.referral_id == ids[1]
        and decision.revision == 3
        and decision.queue == QUEUE
        and decision.outcome == feed_pb2.DECISION_OUTCOME_EARLY_HELP
        and decision.reason == REASON
        and decision.decided_at.ToJsonString() == "2026-11-27T18:05:00Z",
        "the decision arrives as given",
    )
    if "decider_role" in decision.DESCRIPTOR.fields_by_name:
        check(decision.decider_role == "MASH team manager", "the decider's role arrives")
    no_personal_data(result, "decide")

    result = inbox("decide", ids[1], "3", QUEUE, "maybe", "--decider-role=x")
    check(
        result.returncode == 1 and "no_further_action" in result.stderr,
        "an unknown outcome is refused, naming the known ones",
    )


if __name__ == "__main__":
    sys.exit(main())
