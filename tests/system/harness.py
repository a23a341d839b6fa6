"""Runs the gateway's real binaries against the real test broker (tests/kafka) for the
integration and system tests: writes configs with topic names of their own, starts, kills and
restarts services, publishes with kcat and referralctl, reads back read_committed.

CTest passes: KAFKA_BROKER_STATE_DIR (bootstrap file), KAFKA_BROKER_SH, REFERRAL_BIN_DIR,
REFERRAL_SOURCE_DIR.
"""
import json
import os
import random
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

STATE_DIR = Path(os.environ["KAFKA_BROKER_STATE_DIR"])
BROKER_SH = os.environ["KAFKA_BROKER_SH"]
BIN = Path(os.environ["REFERRAL_BIN_DIR"])
SOURCE = Path(os.environ["REFERRAL_SOURCE_DIR"])
CONFIG = SOURCE / "deploy" / "config"

# Saturday 28 November 2026, 02:00 London: out of hours. Wednesday 25 November, 10:00: in hours.
OUT_OF_HOURS = "2026-11-28T02:00:00Z"
IN_HOURS = "2026-11-25T10:00:00Z"


def bootstrap():
    return (STATE_DIR / "bootstrap").read_text().strip()


def fail(message):
    raise AssertionError(message)


class Service:
    """One running service process with its log file and HTTP port."""

    def __init__(self, name, args, log_path, env):
        self.name = name
        self.args = args
        self.log_path = log_path
        self.env = env
        self.proc = None
        self.port = None
        self.starts = 0
        self.log_offset = 0  # where this start's lines begin in the log

    def start(self):
        if getattr(self, "log", None):
            self.log.close()
        self.log = open(self.log_path, "a")
        # This start's lines are those after what is there now: a process killed before it
        # logged `started` must not leave the next start waiting for a line that never comes.
        self.log_offset = Path(self.log_path).stat().st_size
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=self.env, cwd=SOURCE)
        self.starts += 1
        self.port = None
        return self

    def log_events(self, since=0):
        """The log's JSON lines from byte `since` on (this start's: since=self.log_offset)."""
        events = []
        with open(self.log_path, "rb") as f:
            f.seek(since)
            text = f.read().decode(errors="replace")
        for line in text.splitlines():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                pass
        return events

    def http_port(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.check_alive()
            started = [e for e in self.log_events(self.log_offset) if e.get("event") == "started"]
            if started:
                self.port = started[-1]["http_port"]
                return self.port
            time.sleep(0.1)
        fail(f"{self.name}: no 'started' log line within {timeout} s:\n{self.tail_log()}")

    def get(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port()}{path}", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.check_alive()
            status, _ = self.get("/readyz")
            if status == 200:
                return
            time.sleep(0.2)
        fail(f"{self.name}: not ready within {timeout} s:\n{self.tail_log()}")

    def metric(self, name, **labels):
        """Sum of the samples of `name` whose labels include `labels`."""
        _, text = self.get("/metrics")
        total = 0.0
        for line in text.splitlines():
            if not line.startswith(name):
                continue
            series, value = line.rsplit(" ", 1)
            if series != name and not series.startswith(name + "{"):
                continue
            if all(f'{k}="{v}"' in series for k, v in labels.items()):
                total += float(value)
        return total

    def check_alive(self):
        if self.proc.poll() is not None:
            fail(f"{self.name} exited with {self.proc.returncode}:\n{self.tail_log()}")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def terminate(self, timeout=60):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail(f"{self.name}: still running {timeout} s after SIGTERM:\n{self.tail_log()}")

    def tail_log(self, lines=30):
        return "\n".join(Path(self.log_path).read_text().splitlines()[-lines:])


class Pipeline:
    """A standardiser and routers on topics of their own ("<prefix>.incidents.v1", ...)."""

    def __init__(self, name, commit_interval_ms=100, output_encoding="PROTOBUF", commit_idle_ms=None,
                 stuck_call_limit_ms=None, kafka_extra=None):
        self.prefix = f"{name}-{os.getpid()}-{random.randrange(1 << 30)}"
        self.dir = Path(tempfile.mkdtemp(prefix=f"referral-{name}-"))
        self.services = []
        self.topics = {
            "incidents": f"{self.prefix}.incidents.v1",
            "dead_letters": f"{self.prefix}.incidents.dlq.v1",
            "standardised": f"{self.prefix}.referrals.standardised.v1",
            "front_door_template": f"{self.prefix}.referrals.frontdoor.{{la}}.v1",
            "edt_template": f"{self.prefix}.referrals.edt.{{edt}}.v1",
            "triage": f"{self.prefix}.referrals.triage.v1",
            "routing_dead_letters": f"{self.prefix}.referrals.dlq.v1",
        }
        kafka = {
            "commit_interval_ms": commit_interval_ms,
            **({"commit_idle_ms": commit_idle_ms} if commit_idle_ms else {}),
            **({"stuck_call_limit_ms": stuck_call_limit_ms} if stuck_call_limit_ms else {}),
            "topic_partitions": 6,
            # Short sessions: a killed member's partitions move on within seconds.
            "properties": {"session.timeout.ms": "6000", "heartbeat.interval.ms": "1000",
                           **json.loads(os.environ.get("EXTRA_PROPS", "{}"))},
            **(kafka_extra or {}),
        }
        common = {"directory_file": str(CONFIG / "directory.yaml"), "topics": self.topics,
                  "http": {"listen": "127.0.0.1:0"}, "output_encoding": output_encoding}
        self.standardiser_config = self.dir / "standardiser.json"
        self.standardiser_config.write_text(json.dumps(
            {**common, "kafka": {**kafka, "group_id": f"{self.prefix}-standardiser"}}))
        self.router_config = self.dir / "router.json"
        self.router_config.write_text(json.dumps(
            {**common, "kafka": {**kafka, "group_id": f"{self.prefix}-router"},
             "calendar": {"bank_holidays_file": str(CONFIG / "bank-holidays.json"),
                          "division": "england-and-wales"}}))

    def env(self):
        return {**os.environ, "KAFKA_BOOTSTRAP": bootstrap()}

    def standardiser(self, instance="a"):
        service = Service(f"standardiser-{instance}",
                          [str(BIN / "standardiser"), "--config", str(self.standardiser_config),
                           "--instance", f"{self.prefix}-{instance}"],
                          self.dir / f"standardiser-{instance}.log", self.env())
        self.services.append(service)
        return service.start()

    def router(self, instance="a", clock_start=OUT_OF_HOURS):
        """A router; `clock_start` None routes on the real clock."""
        clock = ["--clock-start", clock_start] if clock_start else []
        service = Service(f"router-{instance}",
                          [str(BIN / "router"), "--config", str(self.router_config),
                           "--instance", f"{self.prefix}-{instance}", *clock],
                          self.dir / f"router-{instance}.log", self.env())
        self.services.append(service)
        return service.start()

    def stop_all(self):
        for service in self.services:
            if service.proc and service.proc.poll() is None:
                service.proc.kill()
                service.proc.wait()
            if getattr(service, "log", None):
                service.log.close()

    def topic(self, kind, **names):
        template = self.topics[kind]
        return template.replace("{la}", names.get("la", "")).replace("{edt}", names.get("edt", ""))

    def output_topics(self):
        """Every routed topic of the default directory."""
        las = ["E06000022", "E06000023", "E06000024", "E06000025", "E06000066"]
        return ([self.topic("front_door_template", la=la) for la in las] +
                [self.topic("edt_template", edt=edt) for edt in ("avon", "somerset")] +
                [self.topics["triage"], self.topics["routing_dead_letters"]])


def run(args, input=None, timeout=300, check=True):
    result = subprocess.run([str(a) for a in args], input=input, capture_output=True,
                            timeout=timeout, cwd=SOURCE)
    if check and result.returncode != 0:
        fail(f"{args[0]} exited {result.returncode}:\n{result.stderr.decode()[-3000:]}")
    return result


def referralctl(*args, **kwargs):
    return run([BIN / "referralctl", *args], **kwargs)


def tail(topics, idle_seconds=8, count=None):
    """Every committed record of `topics` as {topic, partition, offset, key, headers, value}."""
    args = ["tail", "--bootstrap", bootstrap(), "--envelope", "--timeout", str(idle_seconds)]
    if count is not None:
        args += ["--count", str(count)]
    out = referralctl(*args, *topics, timeout=900, check=count is None).stdout.decode()
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def wait_for(predicate, timeout, what):
    """Polls `predicate` until true; fails after `timeout` s naming `what` (a string, or a
    function giving one, called then, for what is still missing)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    fail(f"timed out after {timeout} s waiting for {what() if callable(what) else what}")


def expected_deliveries(incidents_file, at):
    """(referral_id, topic suffix) of every copy `referralctl route` delivers for the file at `at`;
    topic suffix is the default topic name, to compare with a pipeline's prefixed topics."""
    result = referralctl("route", "--at", at, incidents_file, check=False, timeout=600)
    if result.returncode not in (0, 2):  # 2: some input invalid, reported and skipped
        fail(f"referralctl route failed:\n{result.stderr.decode()[-2000:]}")
    deliveries = Counter()
    for line in result.stdout.decode().splitlines():
        referral = json.loads(line)
        deliveries[(referral["referralId"], referral["routing"]["deliveredTo"])] += 1
    return deliveries


def expected_dead_letters(incidents_file):
    """How many incidents of the file the standardiser must dead-letter (malformed or invalid):
    the distinct input lines `referralctl standardise` reports an error for."""
    result = referralctl("standardise", incidents_file, check=False, timeout=600)
    bad = set()
    for line in result.stderr.decode().splitlines():
        where, _, what = line.partition(": ")
        if where.startswith("line ") and what and not what.startswith("skipped:"):
            bad.add(where)
    return len(bad)


def delivered(pipeline, records):
    """(referral_id, default topic name) per record of `records`, prefix removed."""
    got = Counter()
    for record in records:
        topic = record["topic"].removeprefix(pipeline.prefix + ".")
        got[(record["key"], topic)] += 1
    return got


def compare_exactly_once(expected, got):
    """Fails naming what was lost, duplicated or unexpected."""
    lost = [k for k in expected if got[k] == 0]
    duplicated = {k: n for k, n in got.items() if n > 1}
    unexpected = [k for k in got if k not in expected]
    if lost or duplicated or unexpected:
        fail(f"exactly-once broken: {len(lost)} lost (e.g. {lost[:3]}), {len(duplicated)} "
             f"duplicated (e.g. {list(duplicated.items())[:3]}), {len(unexpected)} unexpected "
             f"(e.g. {unexpected[:3]})")
