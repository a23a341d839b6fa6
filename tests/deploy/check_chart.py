#!/usr/bin/env python3
"""The Helm chart (helm/referral-gateway), checked with the real tools:

- its README is what helm-docs makes of its values (a table of every value);
- `helm lint --strict`, and `helm template` with the default values and every ci/*-values.yaml;
- values.schema.json refuses a misspelt key and values out of range;
- every rendered manifest valid by `kubeconform -strict` against schemas produced from the
  Kubernetes OpenAPI spec and the Prometheus Operator's CRDs (scripts/k8s-schemas.sh), every
  object closed, so a misspelt field fails (shown, for core kinds and custom resources);
- every ConfigMap a service reads is written out as the pod would see it (its folder, with test
  certificates where the Secret would be mounted) and loaded by that service's own config
  validation (`<service> --check-config`), so that values a service would reject fail here;
- and to show that last check bites: a value the monitor refuses (`replay_window_hours: 1`)
  renders, and fails it.

Usage: check_chart.py SOURCE_DIR BIN_DIR TOOLS_BIN_DIR
"""
import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

SOURCE, BIN, TOOLS = (Path(a) for a in sys.argv[1:4])
CHART = SOURCE / "helm" / "referral-gateway"
HELM = TOOLS / "helm"
KUBECONFORM = TOOLS / "kubeconform"
SCHEMAS = TOOLS.parent / "schemas"  # scripts/k8s-schemas.sh
KUBE_VERSION = "1.31.0"  # a go-installed helm assumes 1.20 otherwise


def fail(message):
    print(f"check_chart: {message}", file=sys.stderr)
    sys.exit(1)


def helm(*args):
    result = subprocess.run([str(HELM), *args], capture_output=True, text=True, timeout=120)
    # files/ links to deploy/ (one source): helm says so on every run.
    stderr = "\n".join(l for l in result.stderr.splitlines() if "symbolic link" not in l)
    return result.returncode, result.stdout, stderr


def render(values_files=(), sets=()):
    args = ["template", "rg", str(CHART), "--kube-version", KUBE_VERSION]
    for f in values_files:
        args += ["-f", str(f)]
    for s in sets:
        args += ["--set", s]
    code, out, err = helm(*args)
    if code != 0:
        fail(f"helm template {' '.join(args[4:])} failed:\n{err}")
    return [doc for doc in yaml.safe_load_all(out) if doc]


def check_configs(documents, certs, label):
    """Runs each service's --check-config on its rendered ConfigMap; returns the failures."""
    failures = []
    # The secrets the Deployment passes as environment variables (secretKeyRef): a stand-in
    # value each, as the pod would have the real one.
    secret_env = {}
    for doc in documents:
        if doc["kind"] != "Deployment":
            continue
        service = doc["metadata"]["labels"]["app.kubernetes.io/component"]
        for container in doc["spec"]["template"]["spec"]["containers"]:
            for env in container.get("env", []):
                if "secretKeyRef" in env.get("valueFrom", {}):
                    secret_env.setdefault(service, {})[env["name"]] = "stand-in-secret"
    with tempfile.TemporaryDirectory() as tmp:
        for doc in documents:
            if doc["kind"] != "ConfigMap" or "config.yaml" not in doc.get("data", {}):
                continue
            service = doc["metadata"]["labels"]["app.kubernetes.io/component"]
            folder = Path(tmp) / service
            folder.mkdir()
            for name, content in doc["data"].items():
                (folder / name).write_text(content)
            # Kafka's secret files are mounted at /etc/referral/kafka/<name>/ (kafka.secretFiles):
            # here under the folder, each file a test certificate, as a CA or key would be.
            text = doc["data"]["config.yaml"]
            for path in sorted(set(re.findall(r"/etc/referral/kafka/[\w.-]+/[\w.-]+", text))):
                local = folder / path.removeprefix("/etc/referral/")
                local.parent.mkdir(parents=True, exist_ok=True)
                local.write_bytes((certs / "ca.pem").read_bytes())
            (folder / "config.yaml").write_text(
                text.replace("/etc/referral/kafka/", f"{folder}/kafka/"))
            config = yaml.safe_load(doc["data"]["config.yaml"])
            if "grpc" in config:  # the TLS Secret, mounted at tls/ beside the config
                (folder / "tls").mkdir()
                for want, have in (("tls.crt", "server.pem"), ("tls.key", "server.key"),
                                   ("ca.crt", "ca.pem")):
                    (folder / "tls" / want).write_bytes((certs / have).read_bytes())
            result = subprocess.run([str(BIN / service), "--check-config", "--config",
                                     str(folder / "config.yaml")],
                                    capture_output=True, text=True, timeout=60,
                                    env={**os.environ, **secret_env.get(service, {})})
            if result.returncode != 0:
                failures.append(f"{label}: {service}: {result.stderr.strip()[-600:]}")
    return failures


def kubeconform(documents):
    """(exit status, output) of `kubeconform -strict` on `documents`, against the schemas of
    scripts/k8s-schemas.sh only: a kind without one fails, as does any field a schema lacks."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        yaml.safe_dump_all(documents, f)
        f.flush()
        result = subprocess.run(
            [str(KUBECONFORM), "-strict", "-summary",
             "-schema-location", f"{SCHEMAS}/k8s/{{{{.ResourceKind}}}}{{{{.KindSuffix}}}}.json",
             "-schema-location", f"{SCHEMAS}/crd/{{{{.ResourceKind}}}}{{{{.KindSuffix}}}}.json",
             f.name], capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def check_readme():
    """README.md is what helm-docs makes of README.md.gotmpl and values.yaml."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "chart"
        shutil.copytree(CHART, copy, symlinks=True)
        result = subprocess.run([str(TOOLS / "helm-docs"), "--chart-search-root", str(copy),
                                 "--template-files", "README.md.gotmpl", "--output-file",
                                 "README.md", "--log-level", "warning"],
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            fail(f"helm-docs failed:\n{result.stderr}")
        if (copy / "README.md").read_text() != (CHART / "README.md").read_text():
            fail("helm/referral-gateway/README.md is stale: run `make chart-docs`")
    print("README.md: what helm-docs makes of the values")


def main():
    check_readme()
    code, out, err = helm("lint", "--strict", str(CHART), "--kube-version", KUBE_VERSION)
    if code != 0:
        fail(f"helm lint --strict failed:\n{out}\n{err}")
    print("helm lint --strict: clean")

    with tempfile.TemporaryDirectory() as tmp:
        certs = Path(tmp) / "certs"
        subprocess.run([str(SOURCE / "scripts" / "dev-certs.sh"), str(certs), "client"],
                       check=True, capture_output=True, timeout=120)
        variants = [("default values", [])] + [
            (path.name, [path]) for path in sorted((CHART / "ci").glob("*-values.yaml"))]
        for label, files in variants:
            documents = render(files)
            kinds = sorted({d["kind"] for d in documents})
            failures = check_configs(documents, certs, label)
            if failures:
                fail("a service refuses the config the chart renders:\n  " + "\n  ".join(failures))
            code, output = kubeconform(documents)
            if code != 0:
                fail(f"{label}: kubeconform -strict refused what the chart renders:\n{output}")
            services = sum(1 for d in documents if d["kind"] == "Deployment")
            print(f"{label}: {len(documents)} objects ({', '.join(kinds)}); the {services} "
                  f"services accept their configs; kubeconform -strict: valid")

        # kubeconform bites: a misspelt field or a wrong type, in a core kind and in a custom
        # resource, fails.
        production = render([CHART / "ci" / "production-values.yaml"])
        def first(kind):
            return next(d for d in production if d["kind"] == kind)
        breaks = []
        broken = copy.deepcopy(first("Deployment"))
        broken["spec"]["replicass"] = 2
        breaks.append(("Deployment spec.replicass", broken, "additional properties 'replicass'"))
        broken = copy.deepcopy(first("Deployment"))
        broken["spec"]["template"]["spec"]["containers"][0]["securityContext"][
            "readOnlyRootFileSystem"] = True
        breaks.append(("securityContext.readOnlyRootFileSystem", broken, "readOnlyRootFileSystem"))
        broken = copy.deepcopy(first("Service"))
        broken["spec"]["ports"][0]["port"] = "http"
        breaks.append(("Service port as a string", broken, "/spec/ports/0/port"))
        broken = copy.deepcopy(first("ServiceMonitor"))
        broken["spec"]["endpoints"][0]["intervall"] = "30s"
        breaks.append(("ServiceMonitor endpoints[0].intervall", broken, "intervall"))
        broken = copy.deepcopy(first("PrometheusRule"))
        broken["spec"]["groups"][0]["rulez"] = []
        breaks.append(("PrometheusRule groups[0].rulez", broken, "rulez"))
        for what, document, why in breaks:
            code, output = kubeconform([document])
            if code == 0 or why not in output:
                fail(f"kubeconform -strict accepted {what}:\n{output}")
        print(f"kubeconform -strict refuses {len(breaks)} misspelt or mistyped fields, core and custom")

        # values.schema.json: a misspelt key or a value out of range fails at helm template.
        for bad, why in (("standardizer.replicas=2", "additional properties 'standardizer'"),
                         ("router.replicas=0", "/router/replicas"),
                         ("image.pullPolicy=Sometimes", "/image/pullPolicy")):
            code, _, err = helm("template", "rg", str(CHART), "--kube-version", KUBE_VERSION,
                                "--set", bad)
            if code == 0 or why not in err:
                fail(f"--set {bad} was not refused by values.schema.json: {err}")
        print("values.schema.json refuses a misspelt key and values out of range")

        # The check bites: a value the monitor refuses renders, and is refused.
        failures = check_configs(render(sets=["monitor.config.replay_window_hours=1"]), certs,
                                 "replay_window_hours=1")
        if not any("replay_window_hours: at least 24" in f for f in failures):
            fail(f"a replay window of 1 h passed the monitor's config check: {failures}")
        print("a value the monitor refuses (replay_window_hours: 1) fails the check, as it must")
    print("check_chart: ok")


if __name__ == "__main__":
    main()
