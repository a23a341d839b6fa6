"""The image of scripts/image.sh, started (issue 12): unpacked by umoci as a runtime would, each of
the five services run from it (chroot, as the image's user, on a read-only root file system with
its config mounted as the chart mounts it) against the test broker, each ready; then one incident
submitted to the intake from it goes through its standardiser and router and is delivered by its
feed, and its monitor counts it. The feed's and intake's plaintext gRPC health port (the chart's
gRPC probes) answers SERVING. So the image is known to hold every library, file and default the
services need, and to work without root or a writable root.

Needs root (CTest skips it otherwise: exit 77): mount namespaces, bind mounts and chroot. Runs under
the project's venv; see tests/system/harness.py for the environment it needs, plus REFERRAL_IMAGE
(the image layout folder with its tag, e.g. build/image/oci:0.1.0)."""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "system"))
import grpc  # noqa: E402
import yaml  # noqa: E402

import grpc_clients  # noqa: E402
import harness  # noqa: E402
from google.protobuf import json_format  # noqa: E402

grpc_clients.import_stubs()
from referral.v1 import feed_pb2, feed_pb2_grpc, incident_pb2, intake_pb2, intake_pb2_grpc  # noqa: E402

SERVICES = ["standardiser", "router", "feed", "intake", "monitor"]
# The image's default grants name these clients (deploy/config/*-grants.yaml).
CONTROL_ROOM = "asp-control-room"
EDT = "avon-edt"
INCIDENT = harness.SOURCE / "tests" / "data" / "incidents" / "01-domestic-abuse-complete.incident.json"


def unpack(image, folder):
    """The image as a runtime bundle (umoci unpack): (root file system, OCI runtime config)."""
    result = subprocess.run(["umoci", "unpack", "--image", image, str(folder)],
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        harness.fail(f"umoci unpack {image}: {result.stderr}")
    return folder / "rootfs", json.loads((folder / "config.json").read_text())


class Image:
    """Runs commands from the unpacked root file system as the image's user, each in a mount
    namespace of its own: the root read-only, /dev and /proc from the host (as a runtime provides
    them), and `mounts` ({path in the image: host folder}) bound read-only over it."""

    def __init__(self, rootfs, runtime):
        self.rootfs = rootfs
        process = runtime["process"]
        self.uid, self.gid = process["user"]["uid"], process["user"]["gid"]
        self.env = process["env"]
        self.cwd = process["cwd"]
        self.args = process["args"]

    def command(self, argv, mounts=None, env=None):
        binds = "".join(f'mount --bind {shlex.quote(str(host))} "$r{inside}"; '
                        f'mount -o remount,bind,ro "$r{inside}"; '
                        for inside, host in (mounts or {}).items())
        variables = " ".join(shlex.quote(v) for v in [*self.env, *(env or [])])
        script = ('set -e; r="$1"; shift; '
                  'mount --bind "$r" "$r"; mount --rbind /dev "$r/dev"; mount --bind /proc "$r/proc"; '
                  f'{binds}'
                  'mount -o remount,bind,ro "$r"; '
                  f'cd "$r{self.cwd}"; '
                  f'exec env -i {variables} {shutil.which("chroot")} --userspec={self.uid}:{self.gid} "$r" "$@"')
        # No --fork: unshare, sh, env and chroot each exec the next, so the process CTest signals
        # is the service itself.
        return ["unshare", "--mount", "sh", "-c", script, "sh", str(self.rootfs), *map(str, argv)]


def service_config(rootfs, name, prefix):
    """The image's default config of `name` with the test's topic names, consumer groups and
    ports: every file it names is the image's own (/etc/referral/config/...), the TLS files are
    the test's, mounted at /etc/referral/tls as the chart's Secret is."""
    config = yaml.safe_load((rootfs / "etc/referral/config" / f"{name}.yaml").read_text())
    config["directory_file"] = f"/etc/referral/config/{config['directory_file']}"
    if "calendar" in config:
        config["calendar"]["bank_holidays_file"] = \
            f"/etc/referral/config/{config['calendar']['bank_holidays_file']}"
    for key, topic in config["topics"].items():
        config["topics"][key] = f"{prefix}.{topic}"
    if "state_topic" in config:
        config["state_topic"] = f"{prefix}.{config['state_topic']}"
    config["kafka"]["group_id"] = f"{prefix}-{name}"
    config["kafka"].pop("bootstrap_servers")  # KAFKA_BOOTSTRAP, as the chart may set it
    config["kafka"]["topic_partitions"] = 1
    config["http"]["listen"] = "127.0.0.1:0"
    if "grpc" in config:
        config["grpc"]["listen"] = "127.0.0.1:0"
        config["grpc"]["grants_file"] = f"/etc/referral/config/{config['grpc']['grants_file']}"
        assert config["grpc"]["tls"]["cert_file"].startswith("/etc/referral/tls/"), config["grpc"]
        config["grpc"]["tls"]["reload_interval_s"] = 1
        config["grpc"]["health_listen"] = "127.0.0.1:0"  # as the chart sets it, for its probes
    return config


def main():
    image = os.environ["REFERRAL_IMAGE"]
    work = Path(tempfile.mkdtemp(prefix="referral-image-test-"))
    rootfs, runtime = unpack(image, work / "bundle")
    img = Image(rootfs, runtime)

    # What the image says of itself, as a runtime reads it.
    if img.uid == 0 or img.gid == 0:
        harness.fail(f"the image runs as root: user {img.uid}:{img.gid}")
    if runtime["root"].get("path") != "rootfs":
        harness.fail(f"unexpected bundle root: {runtime['root']}")
    for must_not in ("bin/sh", "usr/bin/apt", "usr/bin/dpkg"):
        if (rootfs / must_not).exists():
            harness.fail(f"the image holds /{must_not}: only the runtime was to be in it")
    # Its default command runs: referralctl's usage, as the image's user.
    result = subprocess.run(img.command(img.args), capture_output=True, text=True, timeout=60)
    if result.returncode != 0 or "standardise" not in result.stdout:
        harness.fail(f"the image's command {img.args} exited {result.returncode}:\n"
                     f"{result.stdout}\n{result.stderr}")

    # Each service from the image, on topics of its own.
    prefix = f"image-{os.getpid()}-{int(time.time())}"
    certs = grpc_clients.Certificates(work / "certs", [CONTROL_ROOM, EDT])
    (certs.dir / "clients-ca.pem").write_bytes((certs.dir / "ca.pem").read_bytes())
    for key in certs.dir.glob("*.key"):  # readable by the image's user, as the chart's Secret is
        os.chown(key, img.uid, img.gid)
    run_dir = work / "run"
    run_dir.mkdir()
    mounts = {"/home/nonroot": run_dir, "/etc/referral/tls": certs.dir}
    env = [f"KAFKA_BOOTSTRAP={harness.bootstrap()}"]
    services = {}
    try:
        for name in SERVICES:
            (run_dir / f"{name}.yaml").write_text(
                yaml.safe_dump(service_config(rootfs, name, prefix)))
            # The router and intake on the same clock: Saturday 02:00, out of hours.
            clock = ["--clock-start", harness.OUT_OF_HOURS] if name in ("router", "intake") else []
            argv = [f"/usr/bin/{name}", "--config", f"/home/nonroot/{name}.yaml",
                    "--instance", f"{prefix}-{name}", *clock]
            services[name] = harness.Service(name, img.command(argv, mounts, env),
                                             work / f"{name}.log", os.environ).start()
        for name, service in services.items():
            service.wait_ready(timeout=90)
            status = Path(f"/proc/{service.proc.pid}/status").read_text()
            uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
            if int(uid) != img.uid:
                harness.fail(f"{name} runs as uid {uid}, not the image's {img.uid}")
            print(f"{name}: ready from the image, uid {uid}, port {service.port}")
        # What the kubelet's gRPC probe sees: plaintext gRPC health on the health port.
        for name in ("feed", "intake"):
            port = grpc_clients.started_event(services[name].log_path)["grpc_health_port"]
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                grpc_clients.wait_health(channel, "SERVING", timeout=30)
            print(f"{name}: gRPC health SERVING in plaintext on {port}, as a probe would ask")

        # One incident through all of them.
        document = json.loads(INCIDENT.read_text())
        document["incidentId"] = f"ASP-IMAGE-{os.getpid()}"
        intake_port = grpc_clients.grpc_port(services["intake"].log_path)
        with grpc_clients.channel(intake_port, certs, client=CONTROL_ROOM) as channel:
            answer = intake_pb2_grpc.IncidentIntakeStub(channel).Submit(
                intake_pb2.SubmitRequest(
                    incident=json_format.ParseDict(document, incident_pb2.IncidentEvent())),
                timeout=30)
        [preview] = answer.referrals
        if "edt/avon" not in preview.queues:
            harness.fail(f"expected the EDT out of hours: {preview}")
        feed_port = grpc_clients.grpc_port(services["feed"].log_path)
        with grpc_clients.channel(feed_port, certs, client=EDT) as channel:
            feed = feed_pb2_grpc.ReferralFeedStub(channel)
            call = feed.Subscribe(feed_pb2.SubscribeRequest(
                subscription="image-test", queue="edt/avon"), timeout=120)
            delivery = next(iter(call))
            call.cancel()
            if delivery.referral.referral_id != preview.referral_id:
                harness.fail(f"delivered {delivery.referral.referral_id}, "
                             f"submitted {preview.referral_id}")
            feed.Acknowledge(feed_pb2.AcknowledgeRequest(
                subscription="image-test", queue="edt/avon",
                delivery_ids=[delivery.delivery_id]), timeout=30)
        print(f"referral {preview.referral_id}: submitted to the intake, delivered by the feed "
              "to edt/avon, acknowledged")
        harness.wait_for(
            lambda: services["monitor"].metric("referral_monitor_referrals_total",
                                               la="E06000023") == 1,
            60, "the monitor to count the referral")
        harness.wait_for(
            lambda: services["monitor"].metric("referral_monitor_acknowledgement_seconds_count",
                                               queue_kind="edt") == 1,
            60, "the monitor to see the acknowledgement")
        print("monitor: counted it and its acknowledgement")

        for name, service in services.items():
            code = service.terminate()
            if code != 0:
                harness.fail(f"{name} exited {code} on SIGTERM:\n{service.tail_log()}")
        print("all five stopped cleanly on SIGTERM")
    finally:
        for service in services.values():
            if service.proc.poll() is None:
                service.proc.kill()
                service.proc.wait()
        subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("skipped: starting the image needs root (mount namespaces, chroot)")
        sys.exit(77)
    if subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode != 0:
        print("skipped: this machine refuses mount namespaces (unshare --mount), even to root")
        sys.exit(77)
    main()
