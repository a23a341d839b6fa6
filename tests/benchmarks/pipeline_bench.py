"""`make bench`, part 2: the standardiser -> router pipeline on a real Kafka broker against a
passthrough baseline (two passthrough services: consume -> produce the same bytes in the same
transactions), run by the same harness on the same broker. Prints figures, asserts nothing.

1. Throughput: preload N simulated incidents (protobuf), start the two services, time the
   drain from both ready until the last stage has committed every expected record.
2. Latency: at a fixed offered rate, from each incident's produce time to the moment a
   read_committed reader sees its first routed copy; p50 and p99.
3. Peak RSS (VmHWM) of each service process.

The broker is warmed by one unmeasured drain of each kind first (a fresh JVM is several times
slower until its JIT has compiled the hot paths).

Environment as tests/system/harness.py; BENCH_INCIDENTS (default 30000), BENCH_RATE (1000),
BENCH_SECONDS (15), BENCH_WARMUP (5), BENCH_REPEAT (3 drains of each, median shown).
"""
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "system"))
import harness  # noqa: E402

N = int(os.environ.get("BENCH_INCIDENTS", "30000"))
RATE = int(os.environ.get("BENCH_RATE", "1000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "5"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
SEED = 7


def peak_rss_mib(service):
    for line in Path(f"/proc/{service.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PHASES = ("poll", "process", "commit", "deliver")


def loop_seconds(service):
    """Seconds the service's loop has spent in each phase (referral_loop_seconds_total)."""
    return [service.metric("referral_loop_seconds_total", phase=phase) for phase in PHASES]


def loop_shares(before, after):
    """"poll 41% process 30% ..." of the time between two loop_seconds() readings."""
    spent = [b - a for a, b in zip(before, after)]
    total = sum(spent) or 1.0
    return " ".join(f"{phase} {100 * t / total:.0f}%" for phase, t in zip(PHASES, spent))


def broker_pid():
    return int((harness.STATE_DIR / "pid").read_text())


def passthrough(pipeline, name, source, target):
    service = harness.Service(
        f"passthrough-{name}",
        [str(harness.BIN / "passthrough"), "--input", source, "--output", target,
         "--group", f"{pipeline.prefix}-{name}", "--instance", f"{pipeline.prefix}-{name}",
         "--http-listen", "127.0.0.1:0"],
        pipeline.dir / f"passthrough-{name}.log", pipeline.env())
    pipeline.services.append(service)
    return service.start()


def start(kind, pipeline):
    """The two stages and the metric that counts the last stage's committed output."""
    if kind == "pipeline":
        first, last = pipeline.standardiser(), pipeline.router(clock_start=harness.OUT_OF_HOURS)
    else:
        middle = pipeline.topics["standardised"]
        first = passthrough(pipeline, "one", pipeline.topics["incidents"], middle)
        last = passthrough(pipeline, "two", middle, pipeline.prefix + ".passthrough.out")
    first.wait_ready()
    last.wait_ready()
    return first, last


def publish(pipeline, *args):
    return harness.referralctl("simulate", "--bootstrap", harness.bootstrap(), "--config",
                               pipeline.standardiser_config, "--seed", SEED, "--encoding",
                               "protobuf", *args, timeout=900)


def expected_outputs(kind, pipeline, count):
    """How many records the last stage commits for the first `count` simulated incidents."""
    if kind == "passthrough":
        return count
    path = pipeline.dir / "incidents.jsonl"
    harness.referralctl("simulate", "--count", count, "--seed", SEED, "--output", path)
    return sum(harness.expected_deliveries(path, harness.OUT_OF_HOURS).values())


def throughput(kind):
    pipeline = harness.Pipeline(f"bench-{kind}")
    try:
        want = expected_outputs(kind, pipeline, N)
        publish(pipeline, "--count", N)
        began = time.time()
        first, last = start(kind, pipeline)
        ready = time.time()
        pids = (first.proc.pid, last.proc.pid, broker_pid())
        cpu_before = [cpu_seconds(pid) for pid in pids]
        loops_before = [loop_seconds(first), loop_seconds(last)]
        while last.metric("referral_records_produced_total") < want:
            first.check_alive()
            time.sleep(0.05)
        seconds = time.time() - ready
        cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before)]
        rss = (peak_rss_mib(first), peak_rss_mib(last))
        # Counted at each commit: the last stage's final commit is in, the first stage's too.
        loops = [loop_shares(before, loop_seconds(stage))
                 for before, stage in zip(loops_before, (first, last))]
        return {"incidents_per_s": N / seconds, "seconds": seconds, "startup_s": ready - began,
                "rss_mib": rss, "cpu_s": cpu, "loop": loops}
    finally:
        pipeline.stop_all()


def latency(kind):
    pipeline = harness.Pipeline(f"bench-lat-{kind}")
    try:
        first, last = start(kind, pipeline)
        outputs = (pipeline.output_topics() if kind == "pipeline"
                   else [pipeline.prefix + ".passthrough.out"])
        reader = subprocess.Popen(
            [str(harness.BIN / "referralctl"), "tail", "--bootstrap", harness.bootstrap(),
             "--envelope", *outputs], stdout=subprocess.PIPE, text=True, bufsize=1)
        seen = {}

        def read():
            for line in reader.stdout:
                arrived = time.time()
                record = json.loads(line)
                value = record["value"]
                if not isinstance(value, dict):
                    continue  # a malformed incident passed through as it came
                incident = (value.get("incident", {}).get("incidentId")
                            if kind == "pipeline" else value.get("incidentId"))
                if incident and incident not in seen:
                    seen[incident] = arrived

        threading.Thread(target=read, daemon=True).start()
        time.sleep(2)  # the reader is assigned and polling
        publish(pipeline, "--rate", RATE, "--duration", WARMUP + SECONDS)
        time.sleep(3)
        reader.terminate()
        sent = {r["key"]: r["timestamp_ms"] / 1000.0
                for r in harness.tail([pipeline.topics["incidents"]], idle_seconds=3)}
        # Steady state only: the first WARMUP seconds warm the broker's new partitions and
        # transaction state and both JITs; they are reported apart.
        first_sent = min(sent.values())
        samples = sorted(seen[k] - sent[k] for k in seen if k in sent and sent[k] >= first_sent + WARMUP)
        warm = sorted(seen[k] - sent[k] for k in seen if k in sent and sent[k] < first_sent + WARMUP)
        rss = (peak_rss_mib(first), peak_rss_mib(last))
        pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))] * 1000
        return {"p50_ms": pick(0.50), "p99_ms": pick(0.99), "samples": len(samples), "rss_mib": rss,
                "warmup_max_ms": warm[-1] * 1000 if warm else float("nan")}
    finally:
        pipeline.stop_all()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "throughput":
        for kind in ("passthrough", "pipeline"):
            print(kind, throughput(kind))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "latency":
        for kind in ("passthrough", "pipeline"):
            print(kind, latency(kind))
        return
    print(f"Real Kafka broker at {harness.bootstrap()}; {N} incidents preloaded; commit interval "
          f"100 ms, idle commit 20 ms; {os.cpu_count()} CPUs shared by broker, services and harness.")
    results = {}
    runs = {"passthrough": [], "pipeline": []}
    # A fresh broker's JVM is cold: one unmeasured drain of each first.
    for kind in runs:
        throughput(kind)
    for _ in range(REPEAT):  # interleaved, so that drift in the shared machine hits both
        for kind in runs:
            runs[kind].append(throughput(kind))
    for kind in runs:
        # The median run of each, by throughput.
        results[kind] = sorted(runs[kind], key=lambda r: r["incidents_per_s"])[len(runs[kind]) // 2]
        spread = ", ".join(f"{r['incidents_per_s']:.0f}" for r in runs[kind])
        print(f"{kind:12s} drain (median of {spread}): {results[kind]['incidents_per_s']:8.0f} incidents/s "
              f"({results[kind]['seconds']:.1f} s); peak RSS {results[kind]['rss_mib'][0]:.1f} / "
              f"{results[kind]['rss_mib'][1]:.1f} MiB; CPU s stage 1 / stage 2 / broker "
              + " / ".join(f"{c:.1f}" for c in results[kind]["cpu_s"]), flush=True)
        print(f"{'':12s} loop time, stage 1: {results[kind]['loop'][0]}; stage 2: "
              f"{results[kind]['loop'][1]}", flush=True)
    ratio = results["pipeline"]["incidents_per_s"] / results["passthrough"]["incidents_per_s"]
    print(f"ratio pipeline / passthrough: {ratio:.2f} (target >= 0.60)")
    for kind in ("passthrough", "pipeline"):
        lat = latency(kind)
        print(f"{kind:12s} latency at {RATE}/s for {SECONDS} s: p50 {lat['p50_ms']:.1f} ms, "
              f"p99 {lat['p99_ms']:.1f} ms over {lat['samples']} incidents "
              f"(target p99 < 200 ms) after a {WARMUP} s warm-up (slowest then "
              f"{lat['warmup_max_ms']:.0f} ms); peak RSS {lat['rss_mib'][0]:.1f} / "
              f"{lat['rss_mib'][1]:.1f} MiB",
              flush=True)


if __name__ == "__main__":
    main()
