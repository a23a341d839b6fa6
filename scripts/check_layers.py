#!/usr/bin/env python3
"""Fails the build when an include in services/ breaks the layering (ARCHITECTURE.md, STYLE.md):

  core (pure) <- config <- observe <- messaging <- kafka | grpc <- service <- the services

A file may include its own layer and the layers below it, never one above; kafka and grpc never
include each other; services/common never includes a service's folder; a `core/` folder
(services/common/core, services/<service>/core) includes no I/O, clock or client library and
nothing of services/ but the cores. Each layer also keeps out the libraries of the layers above.

Usage: check_layers.py SERVICES_DIR
"""
import re
import sys
from pathlib import Path

RANK = {"core": 0, "config": 1, "observe": 2, "messaging": 3, "kafka": 4, "grpc": 4, "service": 5}

CLIENT_LIBS = r"(librdkafka/|rdkafka|grpc|grpcpp/)"
FORBIDDEN = {
    "core": r"(librdkafka/|rdkafka|grpc|grpcpp/|prometheus/|^(fstream|iostream|filesystem|thread|chrono)$|"
            r"yaml-cpp/|spdlog/|CivetServer|absl/time/clock\.h)",
    "config": r"(librdkafka/|rdkafka|grpc|grpcpp/|prometheus/|spdlog/|CivetServer)",
    "observe": CLIENT_LIBS,
    "messaging": r"(librdkafka/|rdkafka|grpc|grpcpp/|CivetServer|spdlog/)",
    "kafka": r"(grpc|grpcpp/)",
    "grpc": r"(librdkafka/|rdkafka)",
    "service": r"^$",
}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def layer_of(path: Path, services: Path):
    """(kind, name): ("common", layer), ("core", service) or ("service", service)."""
    parts = path.relative_to(services).parts
    if parts[0] == "common":
        return "common", parts[1]
    if len(parts) > 1 and parts[1] == "core":
        return "core", parts[0]
    return "service", parts[0]


def problems(path: Path, services: Path):
    kind, name = layer_of(path, services)
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        match = INCLUDE.match(line)
        if not match:
            continue
        target = match.group(1)
        where = f"{path.relative_to(services.parent)}:{number}: {target}"
        layer = name if kind == "common" else ("core" if kind == "core" else "service")
        if layer in FORBIDDEN and re.search(FORBIDDEN[layer], target):
            yield f"{where}: the {layer} layer must not include this library"
        if not target.startswith("services/"):
            continue
        tparts = Path(target).parts
        if tparts[1] == "common":
            tlayer = tparts[2]
            if tlayer not in RANK:
                yield f"{where}: unknown layer services/common/{tlayer}"
            elif kind == "core" and tlayer != "core":
                yield f"{where}: a core may include only services/common/core"
            elif kind == "common":
                if RANK[tlayer] > RANK[name]:
                    yield f"{where}: {name} may not include the {tlayer} layer above it"
                elif RANK[tlayer] == RANK[name] and tlayer != name:
                    yield f"{where}: {name} and {tlayer} must not include each other"
        else:
            if kind == "common":
                yield f"{where}: services/common must not include a service's folder"
            elif kind == "core" and not (len(tparts) > 3 and tparts[2] == "core"):
                # Another service's core is as pure as this one (the intake's composes the
                # standardiser's and router's); its shell is not.
                yield f"{where}: a core may include only cores"


def main():
    services = Path(sys.argv[1] if len(sys.argv) > 1 else "services").resolve()
    found = []
    for path in sorted(services.rglob("*")):
        if path.suffix in (".h", ".cc") and path.is_file():
            found.extend(problems(path, services))
    if found:
        print("services/ layering broken (see ARCHITECTURE.md, 'Layers'):", file=sys.stderr)
        for problem in found:
            print("  " + problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
