"""`make bench`, part 3: the feed on the real broker, against reading the same topics straight from
Kafka (`referralctl tail`, read_committed) in the same script. Prints figures, asserts nothing.

1. One subscriber: drain the busiest queue (edt/avon) through one Subscribe stream (window 1000,
   acknowledgements batched by 200) vs `referralctl tail` of its topic.
2. 50 subscriptions of that queue at once: deliveries per second in all, and the feed's peak RSS.
4. The intake: submissions per second from BENCH_INTAKE_CLIENTS concurrent callers, each answered
   only once the broker has the incident, with p50/p99, beside `referralctl publish` of the same
   incidents straight to Kafka (one idempotent producer, batched: the bound of what the broker
   takes).
3. Latency at about 1,000 referrals/s (BENCH_FEED_RATE incidents/s over every queue): from the
   router's routing moment (`routing.decided_at`, real clock) to the subscriber's receipt,
   beside the same for a plain read_committed reader: the difference is what the feed adds
   after the router's commit made the record visible.

Runs under the project's venv (grpcio) with the stubs on REFERRAL_PY_STUBS. Environment as
tests/system/harness.py; BENCH_FEED_INCIDENTS (default 20000), BENCH_FEED_RATE (1000),
BENCH_FEED_SECONDS (15), BENCH_FEED_STREAMS (50), BENCH_INTAKE_SUBMISSIONS (4000),
BENCH_INTAKE_CLIENTS (8).
"""
import calendar
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "system"))
import feed_harness as fh  # noqa: E402
import harness  # noqa: E402
from feed_harness import feed_pb2  # noqa: E402

N = int(os.environ.get("BENCH_FEED_INCIDENTS", "20000"))
RATE = int(os.environ.get("BENCH_FEED_RATE", "1000"))
SECONDS = int(os.environ.get("BENCH_FEED_SECONDS", "15"))
STREAMS = int(os.environ.get("BENCH_FEED_STREAMS", "50"))
SUBMISSIONS = int(os.environ.get("BENCH_INTAKE_SUBMISSIONS", "4000"))
CLIENTS = int(os.environ.get("BENCH_INTAKE_CLIENTS", "8"))
QUEUES = [f"frontdoor/{la}" for la in ("E06000022", "E06000023", "E06000024", "E06000025",
                                      "E06000066")] + ["edt/avon", "edt/somerset"]
GRANTS = [{"name": "bench", "identities": ["bristol-lcs"], "queues": QUEUES}]


def peak_rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def unix_seconds(rfc3339):
    """'2026-12-01T12:00:00.123456789Z' as seconds since the epoch."""
    whole, _, fraction = rfc3339.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + float(f"0.{fraction or 0}")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def drain(stub, queue, subscription, count, window=1000, batch=200):
    """Receives `count` deliveries, acknowledging in batches; returns the seconds it took."""
    started = time.perf_counter()
    call = stub.Subscribe(feed_pb2.SubscribeRequest(subscription=subscription, queue=queue,
                                                    max_unacknowledged=window), timeout=600)
    pending, got = [], 0
    for delivery in call:
        pending.append(delivery.delivery_id)
        got += 1
        if len(pending) >= batch or got == count:
            stub.Acknowledge(feed_pb2.AcknowledgeRequest(subscription=subscription, queue=queue,
                                                         delivery_ids=pending), timeout=60)
            pending = []
        if got == count:
            break
    call.cancel()
    return time.perf_counter() - started


def topic_of(feed, queue):
    kind, name = queue.split("/")
    template = feed.topics["front_door_template" if kind == "frontdoor" else "edt_template"]
    return template.replace("{la}", name).replace("{edt}", name)


def tail_seconds(topic, count):
    started = time.perf_counter()
    harness.referralctl("tail", "--bootstrap", harness.bootstrap(), "--count", count, topic,
                        timeout=600)
    return time.perf_counter() - started


def intake(pipeline):
    import grpc_clients
    from google.protobuf import json_format
    from referral.v1 import incident_pb2, intake_pb2, intake_pb2_grpc
    path = pipeline.dir / "intake-incidents.jsonl"
    harness.referralctl("simulate", "--seed", 13, "--count", SUBMISSIONS * 2, "--output", path)
    # Valid incidents only: what a control room's integration sends once it passes.
    valid = harness.referralctl("standardise", path, check=False).stderr.decode()
    bad = {int(line.split(":")[0].split()[1]) for line in valid.splitlines()
           if line.startswith("line ") and "skipped" not in line}
    documents = [json.loads(line) for n, line in enumerate(path.read_text().splitlines(), 1)
                 if n not in bad][:SUBMISSIONS]
    requests = [intake_pb2.SubmitRequest(incident=json_format.ParseDict(
        d, incident_pb2.IncidentEvent(), ignore_unknown_fields=False)) for d in documents]
    certs = grpc_clients.Certificates(pipeline.dir / "intake-certs", ["asp-control-room"])
    grants = pipeline.dir / "intake-grants.json"
    grants.write_text(json.dumps({"grants": [{"name": "asp", "identities": ["asp-control-room"],
                                              "force_codes": ["ASP"]}]}))
    config = pipeline.dir / "intake.json"
    config.write_text(json.dumps({
        "directory_file": str(harness.CONFIG / "directory.yaml"),
        "calendar": {"bank_holidays_file": str(harness.CONFIG / "bank-holidays.json"),
                     "division": "england-and-wales"},
        "topics": {**pipeline.topics, "incidents": f"{pipeline.prefix}.intake-bench.v1"},
        "http": {"listen": "127.0.0.1:0"},
        "grpc": {"listen": "127.0.0.1:0", "tls": certs.server_tls(), "grants_file": str(grants)}}))
    service = harness.Service("intake", [str(harness.BIN / "intake"), "--config", str(config)],
                              pipeline.dir / "intake.log", pipeline.env())
    pipeline.services.append(service)
    service.start()
    service.wait_ready()
    port = grpc_clients.grpc_port(service.log_path)
    latencies = []
    share = [requests[i::CLIENTS] for i in range(CLIENTS)]

    def client(mine):
        with grpc_clients.channel(port, certs, client="asp-control-room") as chan:
            stub = intake_pb2_grpc.IncidentIntakeStub(chan)
            for request in mine:
                started = time.perf_counter()
                stub.Submit(request, timeout=30)
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(m,)) for m in share]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    jsonl = pipeline.dir / "intake-valid.jsonl"
    jsonl.write_text("".join(json.dumps(d) + "\n" for d in documents))
    published = time.perf_counter()
    harness.referralctl("publish", "--bootstrap", harness.bootstrap(), "--topic",
                        f"{pipeline.prefix}.intake-bench-direct.v1", "--encoding", "protobuf",
                        jsonl, timeout=600)
    direct = time.perf_counter() - published
    ms = [v * 1000 for v in latencies]
    print(f"intake: {len(requests)} submissions from {CLIENTS} callers, {len(requests) / wall:,.0f}"
          f"/s, p50 {percentile(ms, .5):.1f} ms, p99 {percentile(ms, .99):.1f} ms; "
          f"referralctl publish straight to Kafka {len(requests) / direct:,.0f}/s "
          f"(ratio {direct / wall:.2f}); intake peak RSS {peak_rss_mib(service.proc.pid):.0f} MiB")


def main():
    pipeline = harness.Pipeline("bench-feed", kafka_extra={"routed_topic_partitions": 1})
    try:
        standardiser, router = pipeline.standardiser(), pipeline.router(clock_start=None)
        standardiser.wait_ready()
        router.wait_ready()
        harness.run([harness.BIN / "referralctl", "simulate", "--bootstrap", harness.bootstrap(),
                     "--config", pipeline.standardiser_config, "--seed", 11, "--count", N,
                     "--encoding", "protobuf"], timeout=600)
        feed = fh.Feed(pipeline, grants=GRANTS)
        f = feed.start()
        stub = feed.stub(f)
        # How many referrals each queue holds once the router is done.
        harness.wait_for(lambda: router.metric("referral_records_committed_total") > 0, 120,
                         "the router to commit")
        last, stable = -1, 0
        while stable < 3:
            now = router.metric("referral_records_committed_total")
            stable = stable + 1 if now == last else 0
            last = now
            time.sleep(1)
        sizes = {q: len(harness.tail([topic_of(feed, q)], idle_seconds=3)) for q in QUEUES}
        queue = max(sizes, key=sizes.get)
        size = sizes[queue]
        print(f"feed bench: {N} incidents routed; queue sizes {sizes}")

        kafka_s = tail_seconds(topic_of(feed, queue), size)
        feed_s = drain(stub, queue, "one", size)
        print(f"one subscriber, {queue}, {size} referrals: feed {size / feed_s:,.0f}/s, "
              f"read_committed reader {size / kafka_s:,.0f}/s (ratio {kafka_s / feed_s:.2f}; "
              "both include connecting)")

        results = {}
        threads = [threading.Thread(target=lambda i=i: results.__setitem__(
            i, drain(feed.stub(f), queue, f"s{i}", size, window=100, batch=50)))
            for i in range(STREAMS)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        print(f"{STREAMS} subscriptions of {queue} at once: {STREAMS * size / wall:,.0f} "
              f"deliveries/s in all ({wall:.1f} s); feed peak RSS "
              f"{peak_rss_mib(f.proc.pid):.0f} MiB")

        # Latency: every queue subscribed (the backlog drained first), then a paced feed.
        latencies, plain = {}, {}
        stop = threading.Event()
        drained = {q: threading.Event() for q in QUEUES}

        def subscribe(q):
            # One stream per queue throughout: its backlog first, then the paced referrals (a
            # second stream of the subscription would wait for the first's group to settle).
            s = feed.stub(f)
            call = s.Subscribe(feed_pb2.SubscribeRequest(subscription="latency", queue=q,
                                                         max_unacknowledged=1000), timeout=3600)
            threading.Thread(target=lambda: (stop.wait(), call.cancel()), daemon=True).start()
            pending, seen = [], 0
            if sizes[q] == 0:
                drained[q].set()
            try:
                for d in call:
                    now = time.time()
                    seen += 1
                    if seen >= sizes[q]:
                        drained[q].set()
                    routed = d.referral.routing.decided_at.ToNanoseconds() / 1e9
                    latencies[(d.referral.referral_id, d.referral.routing.delivered_to)] = now - routed
                    pending.append(d.delivery_id)
                    if len(pending) >= 50:
                        s.Acknowledge(feed_pb2.AcknowledgeRequest(
                            subscription="latency", queue=q, delivery_ids=pending), timeout=60)
                        pending = []
            except Exception:
                pass

        def read_plain():
            topics = [topic_of(feed, q) for q in QUEUES]
            proc = subprocess.Popen([str(harness.BIN / "referralctl"), "tail", "--bootstrap",
                                     harness.bootstrap(), *topics], stdout=subprocess.PIPE)
            threading.Thread(target=lambda: (stop.wait(), proc.terminate()), daemon=True).start()
            for line in proc.stdout:
                now = time.time()
                r = json.loads(line)
                routed = unix_seconds(r["routing"]["decidedAt"])
                plain[(r["referralId"], r["routing"]["deliveredTo"])] = now - routed

        workers = [threading.Thread(target=subscribe, args=(q,)) for q in QUEUES]
        workers.append(threading.Thread(target=read_plain))
        for w in workers:
            w.start()
        for q in QUEUES:  # every backlog drained, every stream open
            drained[q].wait(600)
        time.sleep(3)
        latencies.clear()
        plain.clear()
        before = router.metric("referral_records_committed_total")
        harness.run([harness.BIN / "referralctl", "simulate", "--bootstrap", harness.bootstrap(),
                     "--config", pipeline.standardiser_config, "--seed", 12, "--rate", RATE,
                     "--duration", SECONDS, "--at", time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                  time.gmtime())], timeout=600)
        time.sleep(5)
        stop.set()
        routed = router.metric("referral_records_committed_total") - before
        common = [k for k in latencies if k in plain]
        added = [latencies[k] - plain[k] for k in common]
        feed_ms = [v * 1000 for v in latencies.values()]
        plain_ms = [plain[k] * 1000 for k in common]
        print(f"latency at {RATE} incidents/s (~{routed / SECONDS:,.0f} referrals/s routed): "
              f"routing moment → subscriber p50 {percentile(feed_ms, .5):.0f} ms, p99 "
              f"{percentile(feed_ms, .99):.0f} ms ({len(feed_ms)} deliveries); → plain "
              f"read_committed reader p50 {percentile(plain_ms, .5):.0f} ms, p99 "
              f"{percentile(plain_ms, .99):.0f} ms; the feed adds p50 "
              f"{percentile(added, .5) * 1000:.0f} ms, p99 {percentile(added, .99) * 1000:.0f} ms "
              f"after the record is visible")
        print(f"feed peak RSS {peak_rss_mib(f.proc.pid):.0f} MiB")
        intake(pipeline)
    finally:
        pipeline.stop_all()


if __name__ == "__main__":
    main()
