"""The feed on the real test broker: a pipeline (standardiser and router) whose routed topics it
serves, its config and grants, test certificates (scripts/dev-certs.sh) and gRPC clients with
them. Runs under the project's venv (build/tools/venv) with the stubs of scripts/gen-python-stubs.sh
on REFERRAL_PY_STUBS."""
import json
import os
import sys

import harness

STUBS = os.environ.get("REFERRAL_PY_STUBS", str(harness.SOURCE / "build" / "python"))
sys.path.insert(0, STUBS)

import grpc  # noqa: E402
import grpc_clients  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402
from referral.v1 import feed_pb2, feed_pb2_grpc  # noqa: E402

BRISTOL = "frontdoor/E06000023"
CLIENTS = ["bristol-lcs", "avon-edt", "bathnes-frontdoor", "somerset-edt"]


class Feed:
    """A feed service on `pipeline`'s topics, with grants for CLIENTS."""

    def __init__(self, pipeline, ack_deadline_s=60, default_max_unacknowledged=100, grants=None):
        self.pipeline = pipeline
        self.certificates = grpc_clients.Certificates(pipeline.dir / "certs", CLIENTS)
        self.certs = self.certificates.dir
        # The CAs the feed trusts for client certificates, apart from the clients' own trust in
        # the server, so that a test can replace it.
        self.client_ca = self.certs / "clients-ca.pem"
        self.client_ca.write_bytes((self.certs / "ca.pem").read_bytes())
        self.grants_path = pipeline.dir / "feed-grants.json"
        self.write_grants(grants or [
            {"name": "bristol-lcs", "identities": ["bristol-lcs"], "queues": [BRISTOL]},
            {"name": "avon-edt", "identities": ["avon-edt"], "queues": ["edt/avon"]},
            {"name": "bathnes-frontdoor", "identities": ["bathnes-frontdoor"],
             "queues": ["frontdoor/E06000022"]},
        ])
        self.topics = {**pipeline.topics, "audit": f"{pipeline.prefix}.referrals.audit.v1",
                       "feedback": f"{pipeline.prefix}.referrals.feedback.v1"}
        config = {
            "directory_file": str(harness.CONFIG / "directory.yaml"),
            "topics": self.topics,
            "kafka": {"group_id": f"{pipeline.prefix}-feed", "topic_partitions": 3,
                      "properties": {"session.timeout.ms": "6000",
                                     "heartbeat.interval.ms": "1000"}},
            "http": {"listen": "127.0.0.1:0"},
            "grpc": {"listen": "127.0.0.1:0",
                     "tls": {"cert_file": str(self.certs / "server.pem"),
                             "key_file": str(self.certs / "server.key"),
                             "client_ca_file": str(self.client_ca),
                             "reload_interval_s": 1},
                     "grants_file": str(self.grants_path)},
            "ack_deadline_s": ack_deadline_s,
            "default_max_unacknowledged": default_max_unacknowledged,
            "checkpoint_interval_ms": 200,
        }
        self.config_path = pipeline.dir / "feed.json"
        self.config_path.write_text(json.dumps(config))
        self.services = []

    def write_grants(self, grants):
        tmp = self.grants_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"grants": grants}))
        tmp.rename(self.grants_path)

    def start(self, instance="a"):
        service = harness.Service(
            f"feed-{instance}",
            [str(harness.BIN / "feed"), "--config", str(self.config_path),
             "--instance", f"{self.pipeline.prefix}-feed-{instance}"],
            self.pipeline.dir / f"feed-{instance}.log", self.pipeline.env())
        self.pipeline.services.append(service)
        service.start()
        service.wait_ready()
        return service

    @staticmethod
    def grpc_port(service):
        started = [e for e in service.log_events(service.log_offset) if e.get("event") == "started"]
        return started[-1]["grpc_port"]

    def channel(self, service, client="bristol-lcs", cert=None, ca="ca.pem"):
        """A TLS channel to `service` presenting `client`'s certificate (`cert`: another file
        stem, e.g. "bristol-lcs-expired"; None for no client certificate when client is None)."""
        return grpc_clients.channel(self.grpc_port(service), self.certificates,
                                    client=None if client is None else cert or client, ca=ca)

    def stub(self, service, **kwargs):
        return feed_pb2_grpc.ReferralFeedStub(self.channel(service, **kwargs))


def receive(stub, queue, subscription, count, timeout=60, max_unacknowledged=0):
    """Opens a stream and returns (call, the first `count` deliveries); the call stays open."""
    call = stub.Subscribe(feed_pb2.SubscribeRequest(
        subscription=subscription, queue=queue, max_unacknowledged=max_unacknowledged),
        timeout=timeout)
    got = []
    for delivery in call:
        got.append(delivery)
        if len(got) >= count:
            break
    return call, got


def receive_for(stub, queue, subscription, seconds, max_unacknowledged=0):
    """Every delivery a stream gets within `seconds`, then the stream is cancelled."""
    call = stub.Subscribe(feed_pb2.SubscribeRequest(
        subscription=subscription, queue=queue, max_unacknowledged=max_unacknowledged),
        timeout=seconds)
    got = []
    try:
        for delivery in call:
            got.append(delivery)
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
            raise
    return got


def acknowledge(stub, queue, subscription, deliveries):
    stub.Acknowledge(feed_pb2.AcknowledgeRequest(
        subscription=subscription, queue=queue,
        delivery_ids=[d.delivery_id for d in deliveries]), timeout=30)


def now_timestamp():
    ts = timestamp_pb2.Timestamp()
    ts.GetCurrentTime()
    return ts
