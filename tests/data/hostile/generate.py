#!/usr/bin/env python3
"""The hostile corpus (issue 9): records a control room or an attacker could publish on
incidents.v1, each with what the gateway must do with it. Generated, not committed: some are a
megabyte, and all are built from the sample incidents so that they stay valid as the contract
grows.

Each case: a name, the record (key, value bytes, headers) and the expected outcome:
  ("dead_letter", reason)          dead-lettered with that dlq_reason, the partition moving on
  ("referred", unrecognised_path)  referred; when a path is given, listed in unrecognisedValues
Every personal value a case carries includes CANARY, which no log line or metric label may hold.

Usage: generate.py OUT_DIR   writes OUT_DIR/NN-name.json (an index) and NN-name.value
       (import it to get cases())."""
import json
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CANARY = "CANARY-Zq9x"


def sample(name="03-child-abuse-immediate"):
    incident = json.loads((ROOT / "tests/data/incidents" / f"{name}.incident.json").read_text())
    for person in incident.get("persons", []):
        if "givenName" in person:
            person["givenName"] = f"{CANARY}-{person['givenName']}"
    incident["narrative"] = f"{CANARY} {incident.get('narrative', '')}"
    return incident


def json_bytes(value):
    return json.dumps(value).encode()


def varint(n):
    out = b""
    n &= (1 << 64) - 1
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def field(number, wire, payload):
    return varint((number << 3) | wire) + payload


def length_delimited(number, data):
    return field(number, 2, varint(len(data)) + data)


def cases():
    """[(name, key, value, headers, expected)]"""
    out = []
    json_type = [("content-type", "application/json")]

    misspelt = sample("02-child-neglect-voice-missing")
    for person in misspelt["persons"]:
        if person.get("role") == "PERSON_ROLE_CHILD":
            person["role"] = "PERSON_ROLE_CHILDD"
            person.pop("dateOfBirth", None)
            person.pop("ageYears", None)
            break
    misspelt["incidentId"] = "HOSTILE-ROLE"
    out.append(("misspelt-child-role", "HOSTILE-ROLE", json_bytes(misspelt), json_type,
                ("referred", "role")))

    wrong_type = sample()
    wrong_type["incidentId"] = "HOSTILE-TYPE"
    wrong_type["incidentType"] = "INCIDENT_TYPE_DOMESTIC_VIOLENCE"
    out.append(("misspelt-incident-type", "HOSTILE-TYPE", json_bytes(wrong_type), json_type,
                ("referred", "incident_type")))

    number = sample()
    number["incidentId"] = "HOSTILE-NUMBER"
    number["persons"][0]["role"] = 77
    out.append(("unknown-enum-number-json", "HOSTILE-NUMBER", json_bytes(number), json_type,
                ("referred", "persons[0].role")))

    big = sample()
    big["incidentId"] = "HOSTILE-BIG"
    big["narrative"] = CANARY + " " + "x" * 1_040_000
    out.append(("incident-of-a-megabyte", "HOSTILE-BIG", json_bytes(big), json_type,
                ("referred", None)))

    out.append(("huge-key-undecodable", "k" * 1_000_000, b'{"eventId": "' + CANARY.encode(),
                json_type, ("dead_letter", "undecodable")))

    far = sample()
    far["incidentId"] = "HOSTILE-TAKEN-AT"
    far["policeActions"] = [{"type": "POLICE_ACTION_TYPE_ARREST",
                             "takenAt": "9999-12-31T23:59:59Z"}]
    out.append(("police-action-in-9999", "HOSTILE-TAKEN-AT", json_bytes(far), json_type,
                ("dead_letter", "invalid")))

    # Binary protobuf: event_id, incident_id, force_code, occurred_at, and
    # police_actions[0].taken_at.seconds = 2^63-1 (a Timestamp no encoder can print).
    timestamp = field(1, 0, varint((1 << 63) - 1))
    action = field(1, 0, varint(1)) + length_delimited(2, timestamp)
    occurred = field(1, 0, varint(1_795_000_000))  # 2026-11-17
    binary = (length_delimited(1, b"evt-hostile-pb") + length_delimited(2, b"HOSTILE-PB") +
              length_delimited(4, b"ASP") + length_delimited(6, occurred) +
              length_delimited(13, action))
    out.append(("protobuf-taken-at-max", "HOSTILE-PB", binary,
                [("content-type", "application/x-protobuf")], ("dead_letter", "invalid")))

    year = sample()
    year["incidentId"] = "HOSTILE-YEAR"
    year["occurredAt"] = "0001-01-01T00:00:00Z"
    out.append(("incident-in-year-1", "HOSTILE-YEAR", json_bytes(year), json_type,
                ("dead_letter", "invalid")))

    out.append(("nested-400000-levels", "HOSTILE-NEST", b"[" * 400_000 + b"]" * 400_000, json_type,
                ("dead_letter", "undecodable")))
    out.append(("raw-nul-in-a-string", "HOSTILE-NUL",
                b'{"incidentId": "HOSTILE-NUL", "narrative": "' + CANARY.encode() + b'\x00"}',
                json_type, ("dead_letter", "undecodable")))
    out.append(("duplicate-keys", "HOSTILE-DUP",
                b'{"incidentId": "A", "incidentId": "B", "narrative": "' + CANARY.encode() + b'"}',
                json_type, ("dead_letter", "undecodable")))
    out.append(("list-in-a-list", "HOSTILE-LIST",
                b'{"incidentId": "L", "location": {"lines": [["' + CANARY.encode() + b'"], "b"]}}',
                json_type, ("dead_letter", "undecodable")))
    out.append(("invalid-utf8", "HOSTILE-UTF8",
                b'{"incidentId": "U", "narrative": "' + CANARY.encode() + b'\xff\xfe"}',
                json_type, ("dead_letter", "undecodable")))

    untyped = sample()
    untyped["incidentId"] = "HOSTILE-NO-TYPE"
    out.append(("json-without-content-type", "HOSTILE-NO-TYPE", json_bytes(untyped), [],
                ("referred", None)))
    twice = sample()
    twice["incidentId"] = "HOSTILE-TWO-TYPES"
    out.append(("two-content-types-last-wins", "HOSTILE-TWO-TYPES", json_bytes(twice),
                [("content-type", "application/x-protobuf"), ("content-type", "application/json")],
                ("referred", None)))
    out.append(("structured-cloudevent", "HOSTILE-CE",
                json_bytes({"specversion": "1.0", "data": {"narrative": CANARY}}),
                [("content-type", "application/cloudevents+json")],
                ("dead_letter", "unsupported_content_type")))
    out.append(("binary-garbage", "HOSTILE-GARBAGE", b"\xff\xff\xff\xff" + CANARY.encode(),
                [("content-type", "application/x-protobuf")], ("dead_letter", "undecodable")))
    out.append(("empty-value", "HOSTILE-EMPTY", b"", [("content-type", "application/x-protobuf")],
                ("dead_letter", "invalid")))
    return out


def main():
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    for n, (name, key, value, headers, expected) in enumerate(cases()):
        stem = f"{n:02d}-{name}"
        (out_dir / f"{stem}.value").write_bytes(value)
        (out_dir / f"{stem}.json").write_text(json.dumps(
            {"key_bytes": len(key), "headers": headers, "expected": expected}))
    print(f"{len(cases())} hostile records in {out_dir}")


if __name__ == "__main__":
    main()
