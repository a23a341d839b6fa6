#!/usr/bin/env python3
"""The services' start-up refusals, end to end: exit status 2 and one JSON log line that names
the config field and never echoes a property's value. No broker is needed: these fail before
any connection.

Usage: service_config_test.py BIN_DIR REPO_ROOT
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

BIN = ""
ROOT = ""


def start(service, config):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(config, f)
    try:
        return subprocess.run([os.path.join(BIN, service), "--config", f.name, "--http",
                               "127.0.0.1:0"], capture_output=True, text=True, timeout=60,
                              env={**os.environ, "KAFKA_BOOTSTRAP": "127.0.0.1:9"})
    finally:
        os.unlink(f.name)


def start_briefly(service, config, seconds=3):
    """The log of `service` started with `config` and stopped after `seconds`."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(config, f)
    try:
        proc = subprocess.Popen([os.path.join(BIN, service), "--config", f.name, "--http",
                                 "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env={**os.environ, "KAFKA_BOOTSTRAP": "127.0.0.1:9"})
        try:
            _, stderr = proc.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, stderr = proc.communicate()
        return stderr
    finally:
        os.unlink(f.name)


def events(stderr):
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def standardiser_config(kafka):
    return {"directory_file": os.path.join(ROOT, "deploy/config/directory.yaml"), "kafka": kafka}


class ServiceConfigTest(unittest.TestCase):
    def test_a_misspelt_secret_property_is_named_and_its_value_never_echoed(self):
        result = start("standardiser", standardiser_config({"properties": {"sasl.pasword": "hunter2"}}))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertNotIn("hunter2", result.stderr)
        [line] = [e for e in events(result.stderr) if e["event"] == "config_invalid"]
        self.assertIn("kafka.properties[sasl.pasword]: ", line["error"])

    def test_a_secret_in_plain_properties_is_refused(self):
        result = start("router", {**standardiser_config({"properties": {"sasl.password": "hunter2"}}),
                                  "calendar": {"bank_holidays_file": os.path.join(
                                      ROOT, "deploy/config/bank-holidays.json")}})
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertNotIn("hunter2", result.stderr)
        [line] = [e for e in events(result.stderr) if e["event"] == "config_invalid"]
        self.assertIn("kafka.properties[sasl.password]: a secret; give it in "
                      "kafka.secret_properties_from_env", line["error"])

    def test_an_unknown_config_key_is_named(self):
        result = start("standardiser", {**standardiser_config({}), "kafak": {}})
        self.assertEqual(result.returncode, 2, result.stderr)
        [line] = [e for e in events(result.stderr) if e["event"] == "config_invalid"]
        self.assertIn("kafak", line["error"])

    def test_the_monitors_replay_window_and_source_systems_are_checked(self):
        base = standardiser_config({})
        for hours, ok in ((23, False), (24, True), (8784, True), (8785, False)):
            if ok:
                # Valid: it goes on to look for the (absent) cluster rather than refusing.
                stderr = start_briefly("monitor", {**base, "replay_window_hours": hours})
                self.assertNotIn("config_invalid", stderr, f"{hours} h refused")
                self.assertIn('"kafka_log"', stderr)
            else:
                result = start("monitor", {**base, "replay_window_hours": hours})
                self.assertEqual(result.returncode, 2, result.stderr)
                [line] = [e for e in events(result.stderr) if e["event"] == "config_invalid"]
                self.assertIn("replay_window_hours: at ", line["error"])
        result = start("monitor", {**base, "source_systems": ["storm", "Storm Mk 2"]})
        self.assertEqual(result.returncode, 2, result.stderr)
        [line] = [e for e in events(result.stderr) if e["event"] == "config_invalid"]
        self.assertIn('source_systems[1]: "Storm Mk 2" is not a source system name', line["error"])


if __name__ == "__main__":
    BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    unittest.main(argv=sys.argv[:1], verbosity=2)
