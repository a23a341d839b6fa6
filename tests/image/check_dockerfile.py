"""deploy/docker/Dockerfile cannot be built here (no container engine), so this checks that it
makes the image scripts/image.sh makes and tests/image starts: the same binaries, the same Debian
runtime package list, the same user, command and ports, and librdkafka 2.16 bundled where the
binaries look for it when the Makefile builds them to load it. Run by CTest (label unit)."""
import re
import sys
from pathlib import Path

SOURCE = Path(sys.argv[1])
dockerfile = (SOURCE / "deploy" / "docker" / "Dockerfile").read_text()
script = (SOURCE / "scripts" / "image.sh").read_text()
failures = []


def expect(what, dockerfile_has, image_has, other="scripts/image.sh"):
    if dockerfile_has != image_has:
        failures.append(f"{what}: Dockerfile {dockerfile_has}, {other} {image_has}")


services = re.search(r"^services=\(([^)]*)\)", script, re.M).group(1).split()
expect("binaries built", re.search(r"--target ([\w ]+?) \\", dockerfile).group(1).split(), services)
expect("binaries copied", re.search(r"for s in ([\w ]+); do", dockerfile).group(1).split(), services)
expect("runtime package list", "deploy/docker/runtime-packages.txt" in dockerfile,
       "deploy/docker/runtime-packages.txt" in script)
expect("user", re.search(r"^USER (\S+)", dockerfile, re.M).group(1),
       re.search(r"--config\.user (\S+)", script).group(1))
expect("command", re.findall(r'"([^"]+)"', re.search(r"^CMD \[(.*)\]", dockerfile, re.M).group(1)),
       re.findall(r"--config\.cmd (\S+)", script))
expect("ports", sorted(re.search(r"^EXPOSE (.*)", dockerfile, re.M).group(1).split()),
       sorted(p.removesuffix("/tcp") for p in re.findall(r"--config\.exposedports (\S+)", script)))
expect("workdir", re.search(r"^WORKDIR (\S+)", dockerfile.split("FROM debian:bookworm-slim")[1], re.M).group(1),
       re.search(r"--config\.workingdir (\S+)", script).group(1))
expect("base", "FROM debian:bookworm-slim" in dockerfile, "bookworm" in script)
# librdkafka 2.16, when it is the Makefile's default: fetched and built against as `make` does, and
# bundled where the binaries' RPATH and scripts/image.sh put it; otherwise none of that.
makefile = (SOURCE / "Makefile").read_text()
default_216 = re.search(r"^RDKAFKA \?= (\S+)", makefile, re.M).group(1) == "2.16"
expect("librdkafka 2.16 fetched", "scripts/librdkafka.sh" in dockerfile, default_216,
       "Makefile's RDKAFKA default 2.16")
expect("binaries built to load it", "-DREFERRAL_RDKAFKA_LIBRARY=" in dockerfile, default_216,
       "Makefile's RDKAFKA default 2.16")
expect("librdkafka bundled in /usr/lib/referral-gateway",
       bool(re.search(r"^COPY --from=build \S+ /usr/lib/referral-gateway/$", dockerfile, re.M)),
       default_216 and '"$rootfs/usr/lib/referral-gateway/"' in script,
       "Makefile's RDKAFKA default 2.16 and scripts/image.sh")


if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"Dockerfile and scripts/image.sh agree: {' '.join(services)}")
