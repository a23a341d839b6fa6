"""System tests on the secured broker (tests/kafka/broker.sh start-secured): the pipeline with each
service as its own principal holding only the chart's ACLs, exactly once through kill -9; and what
an operator sees when a credential, a certificate or an ACL is wrong.

Usage: secured_test.py {mtls|scram|refused}   (CTest runs each as its own test)
  mtls     standardiser and router over mutual TLS, the incidents published as the intake, read
           back as the operator; each service killed (-9) once mid-stream; exactly once.
  scram    the same over SASL/SCRAM-SHA-512, when the binaries' librdkafka can log in to a Kafka 4
           broker with SCRAM (2.6.1 or later, librdkafka#4895); with an older one (Debian's
           2.0.2) the test shows the refusal is reported as such and the service exits.
  refused  each wrong setting at once, each a standardiser of its own: a wrong password, a broker
           certificate from a CA the client does not trust, a client certificate from a CA the
           broker does not trust, an expired client certificate, and the chart's ACLs less one
           (input Read, group Read, transactional id Write, output Write). Each must log the
           cause (never the secret), stay not ready, and exit non-zero where it cannot go on.
"""
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter

import harness
import secured

SEED = 11
COUNT = 3000
RATE = 500


def librdkafka_version():
    """The librdkafka the services load, as a tuple: the library ldd finds for the standardiser,
    asked for its version."""
    import ctypes
    ldd = subprocess.run(["ldd", str(harness.BIN / "standardiser")], capture_output=True,
                         text=True, timeout=30).stdout
    match = re.search(r"librdkafka\.so\.1 => (\S+)", ldd)
    assert match, f"the standardiser loads no librdkafka.so.1: {ldd}"
    library = ctypes.CDLL(match.group(1))
    library.rd_kafka_version_str.restype = ctypes.c_char_p
    text = library.rd_kafka_version_str().decode()
    return tuple(int(x) for x in re.match(r"(\d+)\.(\d+)\.(\d+)", text).groups())


def pipeline_as_principals(name, mode):
    """A pipeline whose standardiser and router run as their own principals over `mode`, with the
    chart's ACLs (all principals') created on the broker."""
    harness.bootstrap = secured.mtls_bootstrap if mode == "mtls" else secured.scram_bootstrap
    pipeline = harness.Pipeline(name)
    acls = secured.chart_acls(pipeline)
    print(f"ACLs from the chart: {secured.apply_acls([b for v in acls.values() for b in v])}",
          flush=True)
    secured.secure_config(pipeline.standardiser_config, "standardiser", mode)
    secured.secure_config(pipeline.router_config, "router", mode)
    return pipeline, acls


def exactly_once(mode):
    pipeline, _ = pipeline_as_principals(f"sec-{mode}", mode)
    try:
        incidents = pipeline.dir / "incidents.jsonl"
        harness.referralctl("simulate", "--count", COUNT, "--seed", SEED, "--output", incidents)
        want = harness.expected_deliveries(incidents, harness.OUT_OF_HOURS)
        standardiser = pipeline.standardiser()
        router = pipeline.router(clock_start=harness.OUT_OF_HOURS)
        standardiser.wait_ready()
        router.wait_ready()
        # The control rooms' way in: incidents written as the intake.
        feed = subprocess.Popen(
            [str(a) for a in (harness.BIN / "referralctl", "simulate", "--bootstrap",
                              harness.bootstrap(), "--kafka-config",
                              secured.tool_config(pipeline, "intake", mode), "--config",
                              pipeline.standardiser_config, "--seed", SEED, "--rate", RATE,
                              "--duration", COUNT / RATE)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        rng = random.Random(SEED)
        for victim in (standardiser, router):
            time.sleep(rng.uniform(1.0, 2.5))
            victim.kill9()
            print(f"kill -9: {victim.name}", flush=True)
            victim.start()
        feed.wait(300)
        assert feed.returncode == 0, feed.stderr.read().decode()[-2000:]
        standardiser.wait_ready()
        router.wait_ready()
        # Read back as the operator (read-only on every topic).
        os.environ["REFERRALCTL_KAFKA_CONFIG"] = str(secured.tool_config(pipeline, "operator", mode))
        total = sum(want.values())

        def done():
            for service in (standardiser, router):
                service.check_alive()
            return len(harness.tail(pipeline.output_topics(), idle_seconds=3)) >= total
        harness.wait_for(done, 300, f"{total} routed records")
        got = harness.delivered(pipeline, harness.tail(pipeline.output_topics(), idle_seconds=6))
        harness.compare_exactly_once(want, got)
        print(f"{mode}: exactly once, {sum(got.values())} records for {len(want)} expected "
              "deliveries, each service as its own principal with the chart's ACLs")
    finally:
        os.environ.pop("REFERRALCTL_KAFKA_CONFIG", None)
        pipeline.stop_all()


def scram():
    version = librdkafka_version()
    if version >= (2, 6, 1):
        exactly_once("scram")
        return
    # librdkafka before 2.6.1 sends a SCRAM nonce Kafka 4 refuses (librdkafka#4895): the right
    # password is refused. The service must say so, and exit rather than wait for ever.
    print(f"librdkafka {'.'.join(map(str, version))}: SCRAM to a Kafka 4 broker is refused "
          "(librdkafka#4895, fixed in 2.6.1); checking that it is reported as such")
    harness.bootstrap = secured.scram_bootstrap
    pipeline = harness.Pipeline("sec-scram-old")
    try:
        secured.secure_config(pipeline.standardiser_config, "standardiser", "scram")
        service = pipeline.standardiser()
        status = service.proc.wait(180)
        log = (pipeline.dir / "standardiser-a.log").read_text()
        assert status != 0, "the standardiser went on although the cluster refused its login"
        assert "SASL authentication error" in log, log[-3000:]
        refused = [json.loads(l) for l in log.splitlines() if '"start_refused"' in l]
        assert refused and "the cluster refused this client" in refused[-1]["error"], log[-3000:]
        password = (secured.STATE / "users" / "standardiser.password").read_text().strip()
        assert password not in log, "the password is in the log"
        print(f"refused and reported: exit {status}: {refused[-1]['error']}")
    finally:
        pipeline.stop_all()


def main():
    scenario = sys.argv[1] if len(sys.argv) > 1 else "mtls"
    {"mtls": lambda: exactly_once("mtls"), "scram": scram}[scenario]()


if __name__ == "__main__":
    main()
