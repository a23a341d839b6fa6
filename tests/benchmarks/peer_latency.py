"""`make bench`, part 5: end-to-end latency, the gateway's standardiser and router against the Kafka
Streams peer (../shared/peers/kafka-streams), JSON on every topic, on one real Kafka broker.
Prints figures, asserts nothing.

For each side and offered rate: fresh topics, the two stages started and ready, a read_committed
reader (`referralctl tail`) on every routed topic, then `referralctl simulate --rate` publishes JSON
incidents for BENCH_WARMUP + BENCH_SECONDS. An incident's latency is the moment the reader sees its
first routed copy minus the incident record's own timestamp (when it was produced). p50 and p99
over the incidents produced after the warm-up. The sides alternate at each rate.

Rates: 10 incidents/s (a light stream), 1,000 incidents/s, then 80% of each side's own drain
rate, the medians of the latest `peer_bench.sh` JSON run (the peer's results/runs-*.jsonl), or BENCH_HIGH_RATES="gateway streams".

Environment as tests/system/harness.py, plus PEER_DIR (the peer, built by its run.sh),
BENCH_SECONDS (20), BENCH_WARMUP (30), BENCH_RATES ("10 1000 high": the fixed rates, and "high" for
the 80% rates), BENCH_SIDES ("gateway streams").
"""
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "system"))
import harness  # noqa: E402

PEER = Path(os.environ.get("PEER_DIR", harness.SOURCE.parent / "shared" / "peers" / "kafka-streams"))
CLASSPATH = f"{PEER}/target/peer-streams-0.1.jar:{PEER}/target/lib/*"
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
# The JVM needs its warm-up: at 1,000/s the peer's latency fell from 6 s to 4 s over its first
# 12 s while its JIT compiled.
WARMUP = int(os.environ.get("BENCH_WARMUP", "30"))
OUT_OF_HOURS = harness.OUT_OF_HOURS
# BENCH_RATES: the fixed rates to measure, and "high" for 80% of each side's drain rate.
RATES = os.environ.get("BENCH_RATES", "10 1000 high").split()
FIXED_RATES = [int(r) for r in RATES if r != "high"]
WITH_HIGH = "high" in RATES
SIDES = tuple(os.environ.get("BENCH_SIDES", "gateway streams").split())
INCIDENT_ID = re.compile(r'"incidentId":\s*"([^"]+)"')


def peer_tool(*args):
    return subprocess.run(["java", "-Xmx512m", "-cp", CLASSPATH, "peer.streams.Main", "tools",
                           *map(str, args)], check=True, capture_output=True, text=True, timeout=600)


def start_streams(pipeline):
    """The peer's two applications on the pipeline's topics (the same names the gateway uses)."""
    six = [pipeline.topics[k] for k in ("incidents", "standardised", "dead_letters",
                                         "routing_dead_letters")]
    peer_tool("create-topics", harness.bootstrap(), 6, *six)
    peer_tool("create-topics", harness.bootstrap(), 1, *pipeline.output_topics()[:-1])
    config = harness.SOURCE / "deploy" / "config"
    stages = []
    for mode, extra in (("route", ["--clock-start", OUT_OF_HOURS]), ("standardise", [])):
        service = harness.Service(
            f"streams-{mode}",
            ["java", "-Xmx256m", "-cp", CLASSPATH, "peer.streams.Main", mode,
             "--bootstrap", harness.bootstrap(), "--application-id", f"{pipeline.prefix}-{mode}",
             "--state-dir", str(pipeline.dir / f"state-{mode}"), "--prefix", pipeline.prefix,
             "--incidents", pipeline.topics["incidents"],
             "--directory", str(config / "directory.yaml"),
             "--bank-holidays", str(config / "bank-holidays.json"),
             # The gateway's client settings that have a Streams equivalent, as the peer's bench.
             "--prop", "consumer.session.timeout.ms=6000", "--prop", "consumer.heartbeat.interval.ms=1000",
             "--prop", "consumer.fetch.max.wait.ms=10", *extra],
            pipeline.dir / f"streams-{mode}.log", pipeline.env())
        pipeline.services.append(service)
        service.start().wait_ready(timeout=120)
        stages.append(service)
    return stages


def start_gateway(pipeline):
    router = pipeline.router(clock_start=OUT_OF_HOURS)
    standardiser = pipeline.standardiser()
    router.wait_ready()
    standardiser.wait_ready()
    return [router, standardiser]


def latency(side, rate):
    pipeline = harness.Pipeline(f"lat-{side}", output_encoding="JSON")
    try:
        (start_gateway if side == "gateway" else start_streams)(pipeline)
        reader = subprocess.Popen(
            [str(harness.BIN / "referralctl"), "tail", "--bootstrap", harness.bootstrap(),
             *pipeline.output_topics()], stdout=subprocess.PIPE, text=True, bufsize=1)
        seen = {}

        def read():
            # The incident id by a regular expression, not a JSON parse of each referral: at a
            # few thousand copies a second the reader would otherwise take a core of its own on
            # this 2-core machine and add its own delay to both sides.
            for line in reader.stdout:
                arrived = time.time()
                match = INCIDENT_ID.search(line)
                if match and match.group(1) not in seen:
                    seen[match.group(1)] = arrived

        threading.Thread(target=read, daemon=True).start()
        time.sleep(2)  # the reader is assigned and polling
        harness.referralctl("simulate", "--bootstrap", harness.bootstrap(), "--config",
                            pipeline.standardiser_config, "--seed", 7, "--encoding", "json",
                            "--rate", rate, "--duration", WARMUP + SECONDS, timeout=900)
        time.sleep(5)
        reader.terminate()
        sent = {r["key"]: r["timestamp_ms"] / 1000.0
                for r in harness.tail([pipeline.topics["incidents"]], idle_seconds=3)}
        first_sent = min(sent.values())
        samples = sorted(seen[k] - sent[k] for k in seen
                         if k in sent and sent[k] >= first_sent + WARMUP)
        pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))] * 1000
        return {"p50_ms": pick(0.50), "p99_ms": pick(0.99), "samples": len(samples)}
    finally:
        pipeline.stop_all()


def high_rates():
    """80% of each side's median drain rate in the latest JSON run of the peer's bench."""
    if os.environ.get("BENCH_HIGH_RATES"):
        return dict(zip(SIDES, map(float, os.environ["BENCH_HIGH_RATES"].split())))
    for path in sorted((PEER / "results").glob("runs-*.jsonl"), reverse=True):
        runs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        runs = [r for r in runs if not r.get("warmup") and r.get("output_encoding") == "JSON"]
        by_side = {side: [r["incidents_per_s"] for r in runs if r["side"] == peer_side]
                   for side, peer_side in (("gateway", "project"), ("streams", "streams"))
                   if side in SIDES}
        if all(by_side.values()):
            return {side: 0.8 * statistics.median(rates) for side, rates in by_side.items()}
    return None


def main():
    print(f"Latency, JSON on every topic: incident produced -> first routed copy committed and read; "
          f"{SECONDS} s after a {WARMUP} s warm-up at each rate.", flush=True)
    # 10/s is a light stream, the everyday case (a force refers hundreds of incidents a day, not
    # thousands a second): what each hop adds when its input runs dry between records.
    plans = [(f"{rate:,}/s", {side: rate for side in SIDES}) for rate in FIXED_RATES]
    high = high_rates() if WITH_HIGH else None
    if high:
        plans.append(("80% of each side's drain rate", {s: round(r) for s, r in high.items()}))
    elif WITH_HIGH:
        print("(no JSON drain run of the peer's bench found: no 80% rates)")
    # "referred": incidents after the warm-up with a routed copy seen (the rest are skipped or
    # rejected, the same ones on both sides unless a side fell behind).
    print("| rate | side | offered/s | p50 ms | p99 ms | referred |")
    print("|---|---|---|---|---|---|")
    for label, rates in plans:
        results = {side: latency(side, rates[side]) for side in SIDES}
        for side in SIDES:
            r = results[side]
            print(f"| {label} | {side} | {rates[side]} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} | "
                  f"{r['samples']} |", flush=True)
        if len(SIDES) < 2:
            continue
        g, s = results["gateway"], results["streams"]
        print(f"| {label} | ratio | | {g['p50_ms'] / s['p50_ms']:.2f} | {g['p99_ms'] / s['p99_ms']:.2f} | |",
              flush=True)


if __name__ == "__main__":
    main()
