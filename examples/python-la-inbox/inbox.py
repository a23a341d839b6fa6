#!/usr/bin/env python3
"""A local authority's inbox for the referral gateway's feed: a starting point to copy.

  receive  Subscribes to one queue, writes each referral as a JSON file into a folder and only
           then acknowledges it, so that a referral acknowledged to the gateway is always on disk.
  decide   Records the local authority's decision on one referral.

Both call the gRPC service referral.v1.ReferralFeed (proto/referral/v1/feed.proto) over TLS with
a client certificate: the feed knows this system by that certificate, and lets it read only the
queues its configuration grants to it.

Referrals hold personal data about children and families. This program never prints or logs
any of it: its output names deliveries and referrals by their opaque ids only. The JSON files it
writes are readable by their owner only; keep the folder on storage your organisation approves.

Needs Python 3.9 or later, grpcio and protobuf (the versions scripts/python-deps.sh pins), and
the Python stubs that scripts/gen-python-stubs.sh generates. See README.md beside this file.
"""

import argparse
import datetime
import importlib
import os
import queue
import random
import re
import ssl
import sys
import threading
import time

import grpc
from google.protobuf import json_format

# Exit statuses.
EXIT_OK = 0
EXIT_FAILED = 1  # the feed refused us, an error that retrying cannot fix, or a file not written
EXIT_USAGE = 2  # bad arguments (argparse's own status)

# Status codes after which `receive` reconnects: the feed restarting, moving, or draining a
# stream, or an Acknowledge that timed out. Deliveries not acknowledged are sent again.
RETRYABLE = (
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.DEADLINE_EXCEEDED,
)

# Status codes that mean our identity is not accepted for what we asked: retrying cannot help.
REFUSED = {
    grpc.StatusCode.UNAUTHENTICATED: "the feed did not accept our client certificate",
    grpc.StatusCode.PERMISSION_DENIED: "our certificate is not allowed this queue",
}

# Acknowledge at most this many deliveries in one call.
ACK_BATCH = 100
# Time limit of each unary call (Acknowledge, RecordDecision), in seconds.
CALL_TIMEOUT = 10.0
# Reconnect back-off, in seconds: doubles from the first to the last, with jitter.
BACKOFF_FIRST = 1.0
BACKOFF_LAST = 30.0

# A referral id becomes a file name: accept only what is safe as one. Ids are UUIDs today.
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class Fatal(Exception):
    """An error that ends the program with a message and EXIT_FAILED."""


def log(message):
    """Writes one status line to stderr. Never pass it personal data."""
    print(f"inbox: {message}", file=sys.stderr, flush=True)


# --- Stubs, credentials and channel --------------------------------------------------------------


def load_stubs(stubs_dir):
    """Imports the generated feed modules from `stubs_dir`; returns (feed_pb2, feed_pb2_grpc)."""
    if not os.path.isfile(os.path.join(stubs_dir, "referral", "v1", "feed_pb2.py")):
        raise Fatal(
            f"no Python stubs in {stubs_dir}: generate them with "
            f"scripts/gen-python-stubs.sh {stubs_dir}, or pass --stubs"
        )
    sys.path.insert(0, stubs_dir)
    feed_pb2 = importlib.import_module("referral.v1.feed_pb2")
    feed_pb2_grpc = importlib.import_module("referral.v1.feed_pb2_grpc")
    return feed_pb2, feed_pb2_grpc


def read_file(path, what):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise Fatal(f"cannot read {what} {path}: {e.strerror}") from None


def open_channel(args):
    """Opens a TLS channel to `args.target` presenting the client certificate.

    The feed's certificate must be signed by the CA in `args.ca` and name the target's host (or
    `args.server_name`).
    """
    # Catch a key that does not belong to the certificate here, with a clear message, rather
    # than as a failed handshake later.
    try:
        ssl.create_default_context().load_cert_chain(args.cert, args.key)
    except (OSError, ssl.SSLError) as e:
        raise Fatal(
            f"--cert {args.cert} and --key {args.key} do not make a key pair: {e}"
        ) from None
    credentials = grpc.ssl_channel_credentials(
        root_certificates=read_file(args.ca, "--ca"),
        private_key=read_file(args.key, "--key"),
        certificate_chain=read_file(args.cert, "--cert"),
    )
    options = []
    if args.server_name:
        options.append(("grpc.ssl_target_name_override", args.server_name))
    return grpc.secure_channel(args.target, credentials, options=options)


def describe(error):
    """Says what a failed call means, for a message. Never includes request data."""
    code = error.code()
    details = error.details() or ""
    if code in REFUSED:
        return f"{code.name}: {REFUSED[code]} ({details})"
    if code == grpc.StatusCode.UNAVAILABLE and "handshake" in details.lower():
        return (
            f"TLS handshake failed: is the feed's certificate signed by --ca, and does it name "
            f"the host of --target (or --server-name)? ({details})"
        )
    if code == grpc.StatusCode.UNAVAILABLE and "socket closed" in details.lower():
        # A feed that refuses a client certificate closes the connection in the handshake, which
        # looks the same as a feed going away.
        return (
            f"UNAVAILABLE: {details} (if this persists while the feed is up, check that --cert has "
            f"not expired and is signed by a CA the feed trusts)"
        )
    return f"{code.name}: {details}"


def is_fatal(error):
    """Whether a failed call cannot succeed by retrying."""
    code = error.code()
    if code in REFUSED:
        return True
    # The client refused the feed's certificate: retrying with the same --ca cannot help.
    if code == grpc.StatusCode.UNAVAILABLE and "handshake" in (error.details() or "").lower():
        return True
    return code not in RETRYABLE


# --- Writing referrals ---------------------------------------------------------------------------


def referral_path(out_dir, referral):
    """Returns the file a referral is written to: OUT_DIR/<referral_id>-r<revision>.json."""
    if not SAFE_ID.fullmatch(referral.referral_id):
        raise Fatal(
            "a delivery's referral_id is empty or not safe as a file name; not acknowledged"
        )
    return os.path.join(out_dir, f"{referral.referral_id}-r{referral.revision}.json")


def write_durably(path, data):
    """Writes `data` to `path` so that after a crash `path` holds either all of it or what it held
    before, never part of it; returns once the data and the name are on disk.

    A temporary file beside it is written and flushed to disk, renamed over `path`, and the folder
    flushed so that the rename itself survives a power cut. A reader never sees a half-written
    .json file: the temporary file's name does not end in .json.
    """
    directory = os.path.dirname(path) or "."
    temp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    # Owner only: the file holds personal data.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)
    dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def save_referral(out_dir, referral):
    """Writes a referral as JSON (the protobuf JSON mapping). Writing the same referral again, as
    after a redelivery, gives the same file with the same content."""
    path = referral_path(out_dir, referral)
    text = json_format.MessageToJson(referral, indent=2) + "\n"
    try:
        write_durably(path, text.encode("utf-8"))
    except OSError as e:
        raise Fatal(f"cannot write {path}: {e.strerror}; not acknowledged") from None
    return path


# --- receive -------------------------------------------------------------------------------------


class StreamReader:
    """Reads a Subscribe stream on a thread of its own, so that the main thread can wait for the
    next delivery with a time limit (for --idle-exit) and see whether more are already waiting
    (to acknowledge in batches)."""

    END = object()  # the feed closed the stream without an error

    def __init__(self, call):
        self._call = call
        # Bounded by the feed's flow control: it sends at most max_unacknowledged ahead.
        self._queue = queue.Queue()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        try:
            for delivery in self._call:
                self._queue.put(delivery)
            self._queue.put(self.END)
        except grpc.RpcError as error:
            self._queue.put(error)

    def next(self, timeout):
        """Returns the next delivery, END, or a grpc.RpcError; None when `timeout` seconds pass
        first (0: only what is already waiting; None: wait as long as it takes)."""
        try:
            return self._queue.get(block=timeout != 0, timeout=timeout or None)
        except queue.Empty:
            return None


class Inbox:
    """Receives one queue into a folder: write, then acknowledge."""

    def __init__(self, args, feed_pb2, stub):
        self._args = args
        self._pb2 = feed_pb2
        self._stub = stub
        self._written = []  # deliveries written to disk and not yet acknowledged
        self.acknowledged = 0

    def acknowledge(self):
        """Acknowledges every delivery written so far, in one call, then prints a line for each.
        Raises grpc.RpcError when the call fails: the deliveries will be sent again."""
        if not self._written:
            return
        # Taken off the list first: when the call fails they are simply sent again.
        batch, self._written = self._written, []
        request = self._pb2.AcknowledgeRequest(
            subscription=self._args.subscription,
            queue=self._args.queue,
            delivery_ids=[d.delivery_id for d in batch],
        )
        self._stub.Acknowledge(request, timeout=CALL_TIMEOUT)
        for d in batch:
            # Opaque ids and counters only: nothing here is personal data.
            print(
                f"delivery={d.delivery_id} referral={d.referral.referral_id} "
                f"revision={d.referral.revision} attempt={d.attempt} "
                f"redelivery={str(d.redelivery).lower()}",
                flush=True,
            )
        self.acknowledged += len(batch)

    def pump(self, reader, idle_deadline):
        """Handles deliveries from one stream until it ends.

        Returns "max" when --max deliveries are acknowledged, "idle" when none arrived before
        `idle_deadline` (a time.monotonic() value, or None), "ended" when the feed closed the
        stream. Raises grpc.RpcError when the stream or an Acknowledge fails.
        """
        limit = self._args.max
        while True:
            if self._written:
                timeout = 0  # acknowledge as soon as nothing more is waiting
            elif idle_deadline is not None:
                timeout = max(0.0, idle_deadline - time.monotonic())
            else:
                timeout = None
            item = reader.next(timeout)
            if item is None:
                if self._written:
                    self.acknowledge()
                    continue
                return "idle"
            if isinstance(item, grpc.RpcError):
                self._acknowledge_before_failing()
                raise item
            if item is StreamReader.END:
                self.acknowledge()
                return "ended"
            # Durable first, then (batched) acknowledgement: an acknowledged referral is on disk.
            save_referral(self._args.out, item.referral)
            self._written.append(item)
            if self._args.idle_exit is not None:
                idle_deadline = time.monotonic() + self._args.idle_exit
            if limit and self.acknowledged + len(self._written) >= limit:
                self.acknowledge()
                return "max"
            if len(self._written) >= ACK_BATCH:
                self.acknowledge()

    def _acknowledge_before_failing(self):
        """Tries to acknowledge what is written when the stream fails: acknowledgements are
        separate calls and still count. When that fails too, the deliveries come again."""
        try:
            self.acknowledge()
        except grpc.RpcError:
            pass


def receive(args):
    feed_pb2, feed_pb2_grpc = load_stubs(args.stubs)
    os.makedirs(args.out, exist_ok=True)
    channel = open_channel(args)
    stub = feed_pb2_grpc.ReferralFeedStub(channel)
    inbox = Inbox(args, feed_pb2, stub)
    request = feed_pb2.SubscribeRequest(
        subscription=args.subscription, queue=args.queue, max_unacknowledged=args.window
    )

    backoff = BACKOFF_FIRST
    # --idle-exit counts from the start and from each delivery, connected or not.
    idle_deadline = None
    if args.idle_exit is not None:
        idle_deadline = time.monotonic() + args.idle_exit
    while True:
        acknowledged_before = inbox.acknowledged
        call = stub.Subscribe(request)
        try:
            outcome = inbox.pump(StreamReader(call), idle_deadline)
            error = None
        except grpc.RpcError as e:
            outcome, error = "failed", e
        finally:
            call.cancel()  # ends the reader thread; deliveries not acknowledged come again

        if inbox.acknowledged > acknowledged_before:
            backoff = BACKOFF_FIRST
            if args.idle_exit is not None:
                idle_deadline = time.monotonic() + args.idle_exit
        if outcome in ("max", "idle"):
            log(f"{outcome}: {inbox.acknowledged} deliveries written and acknowledged")
            channel.close()
            return EXIT_OK
        if error is not None and is_fatal(error):
            raise Fatal(describe(error))

        # The stream failed or ended: reconnect after a pause, unless --idle-exit passes first.
        reason = describe(error) if error is not None else "the feed closed the stream"
        pause = backoff * random.uniform(0.5, 1.0)
        if idle_deadline is not None and time.monotonic() + pause >= idle_deadline:
            raise Fatal(
                f"no delivery for {args.idle_exit:g} s and the feed is unreachable: {reason}"
            )
        log(f"{reason}; reconnecting in {pause:.1f} s")
        time.sleep(pause)
        backoff = min(backoff * 2, BACKOFF_LAST)


# --- decide --------------------------------------------------------------------------------------


def decision_outcome(feed_pb2, name):
    """Returns the DecisionOutcome value for a name without its prefix, in any case."""
    enum = feed_pb2.DecisionOutcome
    full = "DECISION_OUTCOME_" + name.upper()
    if name and full in enum.keys() and enum.Value(full) != 0:
        return enum.Value(full)
    names = [k[len("DECISION_OUTCOME_") :].lower() for k in enum.keys() if enum.Value(k) != 0]
    raise Fatal(f"unknown outcome {name!r}: use one of {', '.join(names)}")


def decide(args):
    feed_pb2, feed_pb2_grpc = load_stubs(args.stubs)
    outcome = decision_outcome(feed_pb2, args.outcome)
    request = feed_pb2.RecordDecisionRequest(
        referral_id=args.referral_id,
        revision=args.revision,
        queue=args.queue,
        outcome=outcome,
        reason=args.reason,
    )
    if args.decided_at:
        try:
            request.decided_at.FromJsonString(args.decided_at)
        except ValueError:
            raise Fatal(f"--decided-at {args.decided_at!r}: not an RFC 3339 time") from None
    else:
        request.decided_at.FromDatetime(datetime.datetime.now(datetime.timezone.utc))
    # Newer contracts ask who decided, by role; set it when these stubs know the field.
    if "decider_role" in request.DESCRIPTOR.fields_by_name:
        request.decider_role = args.decider_role

    with open_channel(args) as channel:
        stub = feed_pb2_grpc.ReferralFeedStub(channel)
        try:
            stub.RecordDecision(request, timeout=CALL_TIMEOUT)
        except grpc.RpcError as error:
            # The reason is free text that may hold personal data: it is never printed.
            raise Fatal(f"decision not recorded: {describe(error)}") from None
    print(
        f"decision recorded: referral={args.referral_id} revision={args.revision} "
        f"outcome={feed_pb2.DecisionOutcome.Name(outcome)[len('DECISION_OUTCOME_'):].lower()}",
        flush=True,
    )
    return EXIT_OK


# --- Command line --------------------------------------------------------------------------------


def positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text}: must be more than 0")
    return value


def non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text}: must be 0 or more")
    return value


def positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text}: must be more than 0")
    return value


def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    default_stubs = os.environ.get("REFERRAL_PY_STUBS") or os.path.normpath(
        os.path.join(here, "..", "..", "build", "python")
    )

    connection = argparse.ArgumentParser(add_help=False)
    group = connection.add_argument_group("connection")
    group.add_argument("--target", required=True, metavar="HOST:PORT", help="the feed's address")
    group.add_argument("--cert", required=True, help="this system's client certificate (PEM)")
    group.add_argument("--key", required=True, help="the certificate's private key (PEM)")
    group.add_argument(
        "--ca", required=True, help="the CA that signed the feed's certificate (PEM)"
    )
    group.add_argument(
        "--server-name",
        metavar="NAME",
        help="the name the feed's certificate must hold, when not the host of --target",
    )
    group.add_argument(
        "--stubs",
        default=default_stubs,
        metavar="DIR",
        help="the generated Python stubs (default: $REFERRAL_PY_STUBS, else %(default)s)",
    )

    parser = argparse.ArgumentParser(
        description="Receive referrals from the referral gateway's feed, and record decisions.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    rx = commands.add_parser(
        "receive",
        parents=[connection],
        help="write a queue's referrals into a folder, acknowledging each once it is on disk",
        description="Subscribes to QUEUE and writes each referral to "
        "OUT/<referral_id>-r<revision>.json (durably: temporary file, fsync, rename, fsync of "
        "the folder), then acknowledges it. A redelivered referral overwrites its file with the "
        "same content. Reconnects with back-off when the feed is unavailable.",
    )
    rx.add_argument("--queue", required=True, help='"frontdoor/<GSS code>" or "edt/<edt id>"')
    rx.add_argument("--subscription", required=True, help="this mailbox's name, e.g. bristol-lcs")
    rx.add_argument("--out", required=True, metavar="DIR", help="the folder to write referrals to")
    rx.add_argument(
        "--max", type=positive_int, metavar="N", help="exit after N deliveries are acknowledged"
    )
    rx.add_argument(
        "--idle-exit",
        type=positive_float,
        metavar="SECONDS",
        help="exit when no delivery arrives for this long (status 1 if the feed was unreachable)",
    )
    rx.add_argument(
        "--window",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="deliveries the feed may send ahead of acknowledgements (default: the feed's)",
    )
    rx.set_defaults(run=receive)

    dc = commands.add_parser(
        "decide",
        parents=[connection],
        help="record the local authority's decision on a referral",
        description="Records a decision on one revision of a referral received on QUEUE.",
    )
    dc.add_argument("referral_id", metavar="REFERRAL_ID")
    dc.add_argument("revision", metavar="REVISION", type=non_negative_int)
    dc.add_argument("queue", metavar="QUEUE", help="the queue it came on, e.g. frontdoor/E06000023")
    dc.add_argument(
        "outcome",
        metavar="OUTCOME",
        help="no_further_action, early_help, s17_assessment, s47_enquiry, "
        "returned_for_more_information, information_and_advice or already_open (any case; the "
        "names the stubs' DecisionOutcome holds)",
    )
    dc.add_argument(
        "--decider-role",
        required=True,
        metavar="ROLE",
        help='the role of whoever decided, e.g. "MASH team manager"; never a name',
    )
    dc.add_argument("--reason", default="", metavar="TEXT", help="why, in the practitioner's words")
    dc.add_argument(
        "--decided-at",
        metavar="RFC3339",
        help="when it was decided, e.g. 2026-11-27T18:05:00Z (default: now)",
    )
    dc.set_defaults(run=decide)

    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        return args.run(args)
    except Fatal as e:
        log(str(e))
        return EXIT_FAILED
    except KeyboardInterrupt:
        # Deliveries written and not yet acknowledged are sent again on the next run.
        return 130


if __name__ == "__main__":
    sys.exit(main())
