"""The gateway on the secured test broker (tests/kafka/broker.sh start-secured): TLS only, SCRAM
or mTLS principals, the StandardAuthorizer with no ACL meaning no access. Each service runs as its
own principal with exactly the ACLs the Helm chart's KafkaUser resources grant it (rendered here
with `helm template` for the pipeline's own topic names), so these tests prove the chart's ACL
list is enough, and, by taking one ACL away at a time, that each one is needed.

The test tools run as the principals of the roles they play: `referralctl simulate` as the intake
(the control rooms' way in, which writes incidents), `referralctl tail` as the operator, whose
read-only ACLs the chart grants with strimzi.users.operator.

Environment as harness.py, with KAFKA_BROKER_STATE_DIR the secured broker's state dir, plus
REFERRAL_HELM (the helm binary; default BIN/../tools/bin/helm).
"""
import json
import os
import subprocess
from pathlib import Path

import yaml

import harness

STATE = harness.STATE_DIR
HELM = Path(os.environ.get("REFERRAL_HELM", harness.BIN.parent / "tools" / "bin" / "helm"))
CHART = harness.SOURCE / "helm" / "referral-gateway"

RESOURCE_TYPES = {"topic": "TOPIC", "group": "GROUP", "transactionalId": "TRANSACTIONAL_ID",
                  "cluster": "CLUSTER"}
PATTERN_TYPES = {"literal": "LITERAL", "prefix": "PREFIXED"}
# Strimzi's operation names -> Kafka's AclOperation.
OPERATIONS = {"Read": "READ", "Write": "WRITE", "Create": "CREATE", "Describe": "DESCRIBE",
              "DescribeConfigs": "DESCRIBE_CONFIGS", "IdempotentWrite": "IDEMPOTENT_WRITE",
              "Alter": "ALTER", "AlterConfigs": "ALTER_CONFIGS", "Delete": "DELETE"}


def mtls_bootstrap():
    return (STATE / "bootstrap-mtls").read_text().strip()


def scram_bootstrap():
    return (STATE / "bootstrap").read_text().strip()


def client_properties(principal, mode, ca="ca", certificate=None, password=None):
    """librdkafka properties (plain) and secrets from files for `principal` over `mode`
    ("mtls" or "scram"). `ca`: the CA file the client trusts (tls/<ca>.pem); `certificate`: the
    client certificate to present (default the principal's own); `password`: a file holding the
    SCRAM password (default the principal's own)."""
    tls = STATE / "tls"
    properties = {"ssl.ca.location": str(tls / f"{ca}.pem")}
    secrets = {}
    if mode == "mtls":
        name = certificate or principal
        properties.update({"security.protocol": "SSL",
                           "ssl.certificate.location": str(tls / f"{name}.pem"),
                           "ssl.key.location": str(tls / f"{name}.key")})
    else:
        properties.update({"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
                           "sasl.username": principal})
        secrets["sasl.password"] = str(password or STATE / "users" / f"{principal}.password")
    return properties, secrets


def secure_config(path, principal, mode, **kwargs):
    """Rewrites a service config file written by harness.Pipeline to run as `principal`."""
    config = json.loads(Path(path).read_text())
    properties, secrets = client_properties(principal, mode, **kwargs)
    config["kafka"]["properties"] = {**config["kafka"].get("properties", {}), **properties}
    if secrets:
        config["kafka"]["secret_properties_from_file"] = secrets
    Path(path).write_text(json.dumps(config))


def tool_config(pipeline, principal, mode):
    """A --kafka-config file for referralctl as `principal`."""
    properties, secrets = client_properties(principal, mode)
    path = pipeline.dir / f"kafka-{principal}-{mode}.yaml"
    path.write_text(yaml.safe_dump({"properties": properties,
                                    **({"secret_properties_from_file": secrets} if secrets else {})}))
    return path


def chart_values(pipeline):
    """Values that make the chart's services use the pipeline's topics and groups, with a
    KafkaUser per service and the operator's."""
    services = {name: {"config": {"topics": dict(pipeline.topics),
                                  "kafka": {"group_id": f"{pipeline.prefix}-{name}"}}}
                for name in ("standardiser", "router", "feed", "intake", "monitor")}
    return {"kafka": {"bootstrapServers": scram_bootstrap(),
                      "properties": {"security.protocol": "SASL_SSL"}},
            "strimzi": {"cluster": "test", "users": {"enabled": True, "operator": {"enabled": True}},
                        "topics": {"enabled": False}},
            **services}


def chart_acls(pipeline):
    """{principal: [binding, ...]} from the chart's KafkaUser resources, keyed by the service
    (the component label) whose principal the test broker names after it."""
    values = pipeline.dir / "chart-values.yaml"
    values.write_text(yaml.safe_dump(chart_values(pipeline)))
    rendered = subprocess.run([str(HELM), "template", "rg", str(CHART), "-f", str(values),
                               "--kube-version", "1.30.0",
                               "--show-only", "templates/strimzi.yaml"],
                              capture_output=True, text=True, timeout=120)
    assert rendered.returncode == 0, rendered.stderr
    acls = {}
    for doc in yaml.safe_load_all(rendered.stdout):
        if not doc or doc.get("kind") != "KafkaUser":
            continue
        principal = doc["metadata"]["labels"]["app.kubernetes.io/component"]
        bindings = acls.setdefault(principal, [])
        for acl in doc["spec"]["authorization"]["acls"]:
            resource = acl["resource"]
            for operation in acl["operations"]:
                bindings.append({"principal": f"User:{principal}",
                                 "resourceType": RESOURCE_TYPES[resource["type"]],
                                 "name": resource.get("name", "kafka-cluster"),
                                 "patternType": PATTERN_TYPES[resource.get("patternType", "literal")],
                                 "operation": OPERATIONS[operation]})
    return acls


def apply_acls(bindings, action="create"):
    lines = "".join(json.dumps(b) + "\n" for b in bindings)
    result = subprocess.run([harness.BROKER_SH, "acls", str(STATE), action], input=lines,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()
