#!/usr/bin/env python3
"""crd_schemas.py SWAGGER_JSON OUTDIR CRD.yaml... -- strict kubeconform schemas from CRDs
(scripts/k8s-schemas.sh):
every object with properties closed (additionalProperties false) unless x-kubernetes-preserve-unknown-fields,
nullable honoured, metadata = the real ObjectMeta (CRDs say only `type: object`), named {kind}-{group1}-{version}.json."""
import json, os, sys, yaml
swagger, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(out, exist_ok=True)
defs = json.load(open(swagger))["definitions"]
META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

def close(node):
    if not isinstance(node, dict):
        return node
    new = dict(node)
    if isinstance(node.get("properties"), dict):
        new["properties"] = {k: close(v) for k, v in node["properties"].items()}
        if not node.get("x-kubernetes-preserve-unknown-fields"):
            new.setdefault("additionalProperties", False)
    for k in ("items", "additionalProperties", "not"):
        if isinstance(node.get(k), dict):
            new[k] = close(node[k])
    for k in ("allOf", "anyOf", "oneOf"):
        if isinstance(node.get(k), list):
            new[k] = [close(x) for x in node[k]]
    if node.get("nullable") and isinstance(node.get("type"), str):
        new["type"] = [node["type"], "null"]
    if node.get("format") == "int-or-string" or node.get("x-kubernetes-int-or-string"):
        new.pop("type", None); new.pop("format", None)
        new.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    return new

def reach(node, acc):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/definitions/") and r[14:] not in acc:
            acc.add(r[14:]); reach(defs[r[14:]], acc)
        for v in node.values(): reach(v, acc)
    elif isinstance(node, list):
        for v in node: reach(v, acc)

meta_defs = {META}; reach(defs[META], meta_defs)
n = 0
for f in files:
    for crd in yaml.safe_load_all(open(f)):
        if not crd or crd.get("kind") != "CustomResourceDefinition":
            continue
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for v in crd["spec"]["versions"]:
            s = close(v["schema"]["openAPIV3Schema"])
            s.setdefault("properties", {})
            s["properties"]["apiVersion"] = {"type": "string", "enum": [f"{group}/{v['name']}"]}
            s["properties"]["kind"] = {"type": "string", "enum": [kind]}
            s["properties"]["metadata"] = {"$ref": "#/definitions/" + META}
            s["additionalProperties"] = False
            s["required"] = sorted(set(s.get("required", [])) | {"apiVersion", "kind", "metadata"})
            s["definitions"] = {}
            for d in sorted(meta_defs):   # same strict treatment as the core schemas
                s["definitions"][d] = close(defs[d])
            s["$schema"] = "http://json-schema.org/draft-07/schema#"
            name = f"{kind.lower()}-{group.split('.')[0]}-{v['name']}.json"
            json.dump(s, open(os.path.join(out, name), "w"), sort_keys=True); n += 1
print(f"{n} schemas written to {out}")
