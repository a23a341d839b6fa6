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
- the objects agree with one another and with the configs (check_wiring): gRPC probes on the
  port the service serves health on; cert-manager Certificates writing the Secrets the pods
  mount; KEDA scaling each Deployment on the group and topic its service reads; Strimzi
  KafkaUsers whose ACLs are exactly what each service's config needs (worked out here, apart
  from the chart), on topics that have KafkaTopics, with each service logging in as its user;
- and to show that the config check bites: a value the monitor refuses (`replay_window_hours: 1`)
  renders, and fails it; that the wiring check bites: an ACL too many fails it.

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


# The Topics message's defaults (proto/referral/config/v1/config.proto), apart from the chart's.
TOPIC_DEFAULTS = {
    "incidents": "incidents.v1", "dead_letters": "incidents.dlq.v1",
    "standardised": "referrals.standardised.v1",
    "front_door_template": "referrals.frontdoor.{la}.v1", "edt_template": "referrals.edt.{edt}.v1",
    "triage": "referrals.triage.v1", "routing_dead_letters": "referrals.dlq.v1",
    "audit": "referrals.audit.v1", "feedback": "referrals.feedback.v1",
}


def expected_acls(service, config, directory, topics_managed):
    """The (resource type, name, pattern, operation) set a service's config needs: the topics
    it reads, writes, or both; its consumer group(s); its transactional ids. Create on each of
    its topics when no KafkaTopics make them (a service makes what is missing when it starts)."""
    t = {**TOPIC_DEFAULTS, **config.get("topics", {})}
    las = directory["local_authorities"]
    queues = [t["front_door_template"].replace("{la}", la["gss_code"]) for la in las]
    queues += [t["edt_template"].replace("{edt}", e)
               for e in sorted({la["edt_id"] for la in las if la.get("edt_id")})]
    routed = queues + [t["triage"]]
    reads, writes, both = [], [], []
    if service == "standardiser":
        reads, writes = [t["incidents"]], [t["standardised"], t["dead_letters"]]
    elif service == "router":
        reads, writes = [t["standardised"]], routed + [t["routing_dead_letters"]]
    elif service == "feed":  # the queues it serves; its audit and feedback logs
        reads, both = queues, [t["audit"], t["feedback"]]
    elif service == "intake":
        writes = [t["incidents"]]
    elif service == "monitor":
        reads = routed + [t["standardised"], t["feedback"], t["dead_letters"],
                          t["routing_dead_letters"]]
        both = [config.get("state_topic", "referrals.monitor.state.v1")]
    create = [] if topics_managed else ["Create"]
    acls = set()
    for names, operations in ((reads, ["Read", "Describe"] + create),
                              (writes, ["Write", "Describe"] + create),
                              (both, ["Read", "Write", "Describe"] + create)):
        acls |= {("topic", n, "literal", op) for n in names for op in operations}
    kafka = config.get("kafka", {})
    group = kafka.get("group_id", service)
    if service == "feed":
        acls |= {("group", group + ".", "prefix", op) for op in ("Read", "Describe")}
    elif service != "intake":
        acls |= {("group", group, "literal", op) for op in ("Read", "Describe")}
    if service in ("standardiser", "router", "monitor"):
        txn = (kafka["transactional_id"], "literal") if kafka.get("transactional_id") \
            else (service + "-", "prefix")
        acls |= {("transactionalId", *txn, op) for op in ("Write", "Describe")}
    return acls


def check_wiring(documents, label):
    """Failures where the rendered objects disagree with one another or with the configs."""
    failures = []
    by_kind = {}
    for d in documents:
        by_kind.setdefault(d["kind"], []).append(d)
    configs, deployments = {}, {}
    for d in by_kind.get("ConfigMap", []):
        if "config.yaml" in d["data"]:
            service = d["metadata"]["labels"]["app.kubernetes.io/component"]
            configs[service] = (yaml.safe_load(d["data"]["config.yaml"]),
                                yaml.safe_load(d["data"]["directory.yaml"]))
    for d in by_kind.get("Deployment", []):
        deployments[d["metadata"]["name"]] = d
    component = {name: d["metadata"]["labels"]["app.kubernetes.io/component"]
                 for name, d in deployments.items()}

    for name, d in deployments.items():
        service = component[name]
        config = configs[service][0]
        pod = d["spec"]["template"]["spec"]
        container = pod["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        if "grpc" in config:  # native gRPC readiness probe, on the plaintext health port
            health = int(config["grpc"]["health_listen"].rsplit(":", 1)[1])
            probe = container["readinessProbe"].get("grpc", {}).get("port")
            if probe != health or ports.get("grpc-health") != health:
                failures.append(f"{label}: {service}: gRPC probe on {probe}, container port "
                                f"{ports.get('grpc-health')}, health served on {health}")
        if config["kafka"].get("properties", {}).get("sasl.username"):
            user = config["kafka"]["properties"]["sasl.username"]
            env = {e["name"]: e for e in container.get("env", [])}
            variable = config["kafka"].get("secret_properties_from_env", {}).get("sasl.password")
            ref = env.get(variable, {}).get("valueFrom", {}).get("secretKeyRef", {})
            if by_kind.get("KafkaUser") and ref.get("name") != user:
                failures.append(f"{label}: {service} logs in as {user} with the password of "
                                f"Secret {ref.get('name')}")

    mounted = {v["secret"]["secretName"] for d in deployments.values()
               for v in d["spec"]["template"]["spec"]["volumes"] if "secret" in v}
    for c in by_kind.get("Certificate", []):
        if c["spec"]["secretName"] not in mounted:
            failures.append(f"{label}: Certificate {c['metadata']['name']} writes "
                            f"{c['spec']['secretName']}, which no pod mounts")

    inputs = {"standardiser": "incidents", "router": "standardised"}
    for kind in ("ScaledObject", "HorizontalPodAutoscaler"):
        for o in by_kind.get(kind, []):
            target = o["spec"]["scaleTargetRef"]["name"]
            if target not in deployments:
                failures.append(f"{label}: {kind} scales {target}, which is not rendered")
                continue
            if "replicas" in deployments[target]["spec"]:
                failures.append(f"{label}: {target} sets replicas while {kind} scales it")
            service = component[target]
            config = configs[service][0]
            for trigger in o["spec"].get("triggers", []):
                want = {"consumerGroup": config["kafka"].get("group_id", service),
                        "topic": {**TOPIC_DEFAULTS, **config.get("topics", {})}[inputs[service]]}
                got = {k: trigger["metadata"].get(k) for k in want}
                if got != want:
                    failures.append(f"{label}: {kind} of {service} watches {got}, the service "
                                    f"reads {want}")

    users = {u["metadata"]["name"]: u for u in by_kind.get("KafkaUser", [])}
    topics = {t["spec"]["topicName"] for t in by_kind.get("KafkaTopic", [])}
    all_topics = set()
    for service, (config, directory) in configs.items():
        if not users:
            break
        user = config["kafka"].get("properties", {}).get("sasl.username")
        if user not in users:
            failures.append(f"{label}: {service} logs in as {user}: no KafkaUser of that name")
            continue
        got = {(a["resource"]["type"], a["resource"]["name"], a["resource"]["patternType"], op)
               for a in users[user]["spec"]["authorization"]["acls"] for op in a["operations"]}
        want = expected_acls(service, config, directory, bool(topics))
        if got != want:
            failures.append(f"{label}: {service}'s ACLs: extra {sorted(got - want)}, "
                            f"missing {sorted(want - got)}")
        all_topics |= {n for (kind, n, _, _) in want if kind == "topic"}
        if topics:
            if config["kafka"].get("missing_topics") != "REFUSE":
                failures.append(f"{label}: {service} may create topics beside the KafkaTopics")
            lacking = {n for (kind, n, _, _) in want if kind == "topic"} - topics
            if lacking:
                failures.append(f"{label}: {service} uses topics without a KafkaTopic: {sorted(lacking)}")
    # The operator's user (referralctl): Read and Describe on every topic of the services, no more.
    for user in users.values():
        if user["metadata"]["labels"].get("app.kubernetes.io/component") != "operator":
            continue
        got = {(a["resource"]["type"], a["resource"]["name"], a["resource"]["patternType"], op)
               for a in user["spec"]["authorization"]["acls"] for op in a["operations"]}
        want = {("topic", n, "literal", op) for n in all_topics for op in ("Read", "Describe")}
        if got != want:
            failures.append(f"{label}: the operator's ACLs: extra {sorted(got - want)}, "
                            f"missing {sorted(want - got)}")
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
    # deploy/README.md's ACL table is the chart's KafkaUsers, rendered.
    result = subprocess.run([sys.executable, str(SOURCE / "scripts" / "acl_table.py"), str(HELM),
                             "--check", str(SOURCE / "deploy" / "README.md")],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        fail(result.stderr.strip())
    print("deploy/README.md: its ACL table is the chart's KafkaUsers")


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
            failures = check_configs(documents, certs, label) + check_wiring(documents, label)
            if failures:
                fail("a service refuses the config the chart renders, or objects disagree:\n  "
                     + "\n  ".join(failures))
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
        strimzi = render([CHART / "ci" / "strimzi-values.yaml"])
        keda = render([CHART / "ci" / "keda-values.yaml"])
        def first_of(documents, kind):
            return copy.deepcopy(next(d for d in documents if d["kind"] == kind))
        broken = first_of(strimzi, "KafkaTopic")
        broken["spec"]["partitons"] = 6
        breaks.append(("KafkaTopic spec.partitons", broken, "partitons"))
        broken = first_of(strimzi, "KafkaUser")
        broken["spec"]["authorization"]["acls"][0]["resource"]["patternTyp"] = "literal"
        breaks.append(("KafkaUser acls[0].resource.patternTyp", broken, "patternTyp"))
        broken = first_of(strimzi, "Certificate")
        broken["spec"]["secretNme"] = broken["spec"].pop("secretName")
        breaks.append(("Certificate spec.secretNme", broken, "secretNme"))
        broken = first_of(keda, "ScaledObject")
        broken["spec"]["triggers"][0]["metdata"] = broken["spec"]["triggers"][0].pop("metadata")
        breaks.append(("ScaledObject triggers[0].metdata", broken, "metdata"))
        for what, document, why in breaks:
            code, output = kubeconform([document])
            if code == 0 or why not in output:
                fail(f"kubeconform -strict accepted {what}:\n{output}")
        print(f"kubeconform -strict refuses {len(breaks)} misspelt or mistyped fields, core and custom "
              "(Prometheus Operator, Strimzi, cert-manager, KEDA)")

        # values.schema.json: a misspelt key or a value out of range fails at helm template.
        for bad, why in (("standardizer.replicas=2", "additional properties 'standardizer'"),
                         ("router.replicas=0", "/router/replicas"),
                         ("image.pullPolicy=Sometimes", "/image/pullPolicy"),
                         ("strimzi.topics.enabled=true", "/strimzi/cluster"),
                         ("certManager.enabled=true", "/certManager/issuerRef/name")):
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

        # The wiring check bites: the intake allowed to read incidents, the operator to write a
        # topic, the feed's readiness
        # probe on its mTLS port, and a ScaledObject watching another group each fail it.
        intake_user = next(u for u in strimzi if u["kind"] == "KafkaUser"
                           and u["metadata"]["labels"]["app.kubernetes.io/component"] == "intake")
        intake_user["spec"]["authorization"]["acls"][0]["operations"].append("Read")
        operator_user = next(u for u in strimzi if u["kind"] == "KafkaUser" and
                             u["metadata"]["labels"]["app.kubernetes.io/component"] == "operator")
        operator_user["spec"]["authorization"]["acls"][0]["operations"].append("Write")
        feed = next(d for d in strimzi if d["kind"] == "Deployment"
                    and d["metadata"]["labels"]["app.kubernetes.io/component"] == "feed")
        feed["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["grpc"]["port"] = 50051
        next(o for o in keda if o["kind"] == "ScaledObject")["spec"]["triggers"][0]["metadata"][
            "consumerGroup"] = "someone-else"
        failures = check_wiring(strimzi, "broken") + check_wiring(keda, "broken")
        for want in ("intake's ACLs: extra [('topic', 'incidents.v1', 'literal', 'Read')]",
                     "feed: gRPC probe on 50051", "watches {'consumerGroup': 'someone-else'",
                     "the operator's ACLs: extra [('topic',"):
            if not any(want in f for f in failures):
                fail(f"the wiring check missed: {want}\n{failures}")
        print("the wiring check refuses an extra ACL (a service's, the operator's), a probe on "
              "the mTLS port, a ScaledObject on another group")
    print("check_chart: ok")


if __name__ == "__main__":
    main()
