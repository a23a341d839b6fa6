#!/usr/bin/env python3
"""k8s_schemas.py SWAGGER_JSON OUTDIR -- one strict standalone JSON schema per Kubernetes kind,
named as kubeconform looks them up: {kind}{-group-first-label}-{version}.json (lower case).
scripts/k8s-schemas.sh runs it on the OpenAPI spec of the pinned k8s.io/kubernetes module."""
import json, os, sys
spec = json.load(open(sys.argv[1])); out = sys.argv[2]; os.makedirs(out, exist_ok=True)
defs = spec["definitions"]
# the API server accepts a Quantity as a string or a number (cpu: 1); swagger says string only
defs["io.k8s.apimachinery.pkg.api.resource.Quantity"] = {"oneOf": [{"type": "string"}, {"type": "number"}]}

def fix(node):
    """Walk a schema: int-or-string -> oneOf; every object with properties gets
    additionalProperties false (what -strict needs: kubeconform's -strict does not add it)."""
    if not isinstance(node, dict):
        return node
    if node.get("format") == "int-or-string":
        return {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    new = dict(node)
    if isinstance(node.get("properties"), dict):
        new["properties"] = {k: fix(v) for k, v in node["properties"].items()}
        new.setdefault("additionalProperties", False)
    if isinstance(node.get("items"), dict):
        new["items"] = fix(node["items"])
    if isinstance(node.get("additionalProperties"), dict):
        new["additionalProperties"] = fix(node["additionalProperties"])
    for k in ("allOf", "anyOf", "oneOf"):
        if isinstance(node.get(k), list):
            new[k] = [fix(x) for x in node[k]]
    return new

def refs(node, acc):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/definitions/"):
            name = r[len("#/definitions/"):]
            if name not in acc:
                acc.add(name); refs(defs[name], acc)
        for v in node.values():
            refs(v, acc)
    elif isinstance(node, list):
        for v in node:
            refs(v, acc)

n = 0
for name, d in defs.items():
    gvks = d.get("x-kubernetes-group-version-kind") or []
    if len(gvks) != 1 or "kind" not in d.get("properties", {}):
        continue
    gvk = gvks[0]
    group, version, kind = gvk["group"], gvk["version"], gvk["kind"]
    api_version = f"{group}/{version}" if group else version
    suffix = ("-" + group.split(".")[0].lower() if group else "") + "-" + version.lower()
    reach = set(); refs(d, reach)
    schema = fix(d)
    schema["properties"]["apiVersion"] = {"type": "string", "enum": [api_version]}
    schema["properties"]["kind"] = {"type": "string", "enum": [kind]}
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind"})
    schema["definitions"] = {r: fix(defs[r]) for r in sorted(reach)}
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    with open(os.path.join(out, f"{kind.lower()}{suffix}.json"), "w") as f:
        json.dump(schema, f, sort_keys=True)
    n += 1
print(f"{n} schemas written to {out}")
