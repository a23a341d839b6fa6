"""gRPC clients for the integration and system tests of the gateway's gRPC services (intake, feed):
development certificates, TLS channels that present a client certificate (or none), the generated
Python stubs, a service's gRPC port, gRPC health and google.rpc error details.

Runs under the project's venv (build/tools/venv: grpcio, grpcio-status, protobuf), never the
system python3. Needs no other module of the tests, so any test can use it:

    import grpc_clients
    certs = grpc_clients.Certificates(tmp / "certs", ["asp-control-room"])
    grpc_clients.import_stubs()                      # then: from referral.v1 import intake_pb2
    channel = grpc_clients.channel(port, certs, client="asp-control-room")

Environment: REFERRAL_SOURCE_DIR (the repository; default: two folders up from here) and
REFERRAL_PY_STUBS (where the stubs are generated; default: a temporary folder per process).
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

SOURCE = Path(os.environ.get("REFERRAL_SOURCE_DIR", Path(__file__).resolve().parents[2]))

_stubs_dir = None


def import_stubs():
    """Generates the Python stubs of proto/ (scripts/gen-python-stubs.sh, idempotent) and puts
    them on sys.path; returns their folder. Generated once per process, with this interpreter."""
    global _stubs_dir
    if _stubs_dir is None:
        out = Path(os.environ.get("REFERRAL_PY_STUBS")
                   or tempfile.mkdtemp(prefix="referral-stubs-"))
        result = subprocess.run(["bash", str(SOURCE / "scripts" / "gen-python-stubs.sh"), str(out)],
                                env={**os.environ, "PYTHON": sys.executable},
                                capture_output=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"gen-python-stubs.sh failed:\n{result.stderr.decode()}")
        sys.path.insert(0, str(out))
        _stubs_dir = out
    return _stubs_dir


class Certificates:
    """Development certificates (scripts/dev-certs.sh) in `directory`: a test CA, a server
    certificate for localhost, and for each of `clients` NAME.pem/NAME.key (CN=NAME, SAN DNS:NAME),
    NAME-expired.* and NAME-other-ca.* (signed by a CA the services do not trust)."""

    def __init__(self, directory, clients):
        self.dir = Path(directory)
        result = subprocess.run(["bash", str(SOURCE / "scripts" / "dev-certs.sh"), str(self.dir),
                                 *clients], capture_output=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"dev-certs.sh failed:\n{result.stderr.decode()}")

    def path(self, name):
        return self.dir / name

    def server_tls(self, reload_interval_s=None):
        """The `tls` section of a service config (config.proto `Tls`) with these certificates."""
        tls = {"cert_file": str(self.path("server.pem")), "key_file": str(self.path("server.key")),
               "client_ca_file": str(self.path("ca.pem"))}
        if reload_interval_s is not None:
            tls["reload_interval_s"] = reload_interval_s
        return tls

    def credentials(self, client=None, ca="ca.pem"):
        """Channel credentials trusting `ca` and presenting the certificate `client` (a file stem:
        "bristol-lcs", "bristol-lcs-expired", "bristol-lcs-other-ca"); no client certificate when
        `client` is None."""
        root = self.path(ca).read_bytes()
        if client is None:
            return grpc.ssl_channel_credentials(root_certificates=root)
        return grpc.ssl_channel_credentials(
            root_certificates=root, private_key=self.path(f"{client}.key").read_bytes(),
            certificate_chain=self.path(f"{client}.pem").read_bytes())


def channel(port, certificates, client=None, ca="ca.pem", host="localhost"):
    """A TLS channel to `host:port` (the server certificate is for localhost) presenting
    `client`'s certificate, or none. Close it when done (or use it as a context manager)."""
    return grpc.secure_channel(f"{host}:{port}", certificates.credentials(client, ca))


def started_event(log_path, timeout=30, count=1):
    """The `count`-th "started" JSON log line of a service whose log is `log_path`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        started = []
        for line in Path(log_path).read_text().splitlines():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if event.get("event") == "started":
                started.append(event)
        if len(started) >= count:
            return started[count - 1]
        time.sleep(0.1)
    raise AssertionError(f"{log_path}: no 'started' log line within {timeout} s")


def grpc_port(log_path, timeout=30, count=1):
    """The gRPC port a service logged at start-up (GrpcService: "grpc_port")."""
    return started_event(log_path, timeout, count)["grpc_port"]


# grpc.health.v1.HealthCheckResponse.ServingStatus by number.
HEALTH_STATUS = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}


def health(chan, service="", timeout=5):
    """grpc.health.v1.Health/Check of `service` ("" = the server) as "SERVING", "NOT_SERVING",
    ...; without the grpcio-health-checking package: the messages are encoded by hand."""
    name = service.encode()
    request = (b"\x0a" + bytes([len(name)]) + name) if name else b""
    check = chan.unary_unary("/grpc.health.v1.Health/Check",
                             request_serializer=lambda b: b, response_deserializer=lambda b: b)
    response = check(request, timeout=timeout)
    if len(response) >= 2 and response[0] == 0x08:
        return HEALTH_STATUS.get(response[1], str(response[1]))
    return "UNKNOWN"


def wait_health(chan, want, timeout=60, service=""):
    """Waits until the health check answers `want`; fails naming the last answer."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = health(chan, service)
        except grpc.RpcError as e:
            last = e.code().name
        if last == want:
            return
        time.sleep(0.2)
    raise AssertionError(f"health: want {want} within {timeout} s, last {last}")


def bad_request(error):
    """The field violations of a failed call's google.rpc.BadRequest details, as
    [(field, description)]; [] when the status carries none."""
    status = rpc_status.from_call(error)
    if status is None:
        return []
    violations = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            request = error_details_pb2.BadRequest()
            detail.Unpack(request)
            violations.extend((v.field, v.description) for v in request.field_violations)
    return violations
