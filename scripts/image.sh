#!/usr/bin/env bash
# Builds the gateway's one OCI image without a container engine: a root file system made from
# Debian bookworm packages by mmdebstrap (only the runtime libraries, no shell, no package
# manager), the stripped binaries and the default config, packed as an OCI image layout by umoci.
#
#   scripts/image.sh BIN_DIR OUT_DIR
#
# Writes OUT_DIR/oci (the image layout, tag = the chart's appVersion) and
# OUT_DIR/referral-gateway-oci.tar (the same as one archive, for `skopeo copy oci-archive:...`).
# Does nothing when the inputs are those of the image already there (OUT_DIR/inputs.sha256).
# Needs root (mmdebstrap --mode=root writes files owned by others); `make deps` installs
# mmdebstrap and umoci. deploy/docker/Dockerfile builds the same image with a Docker engine.
set -euo pipefail

bin_dir=$(realpath "${1:?usage: image.sh BIN_DIR OUT_DIR}")
out_dir=$(realpath -m "${2:?usage: image.sh BIN_DIR OUT_DIR}")
source_dir=$(realpath "$(dirname "$0")/..")
cd "$source_dir"

services=(standardiser router feed intake monitor referralctl)
version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' helm/referral-gateway/Chart.yaml)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mapfile -t packages < <(grep -v '^\s*\(#\|$\)' deploy/docker/runtime-packages.txt)

# The image changes only when one of these does.
inputs=$( (
  for s in "${services[@]}"; do sha256sum "$bin_dir/$s"; done
  sha256sum "$bin_dir"/../lib/referral-gateway/* 2>/dev/null || true
  sha256sum deploy/docker/runtime-packages.txt scripts/image.sh deploy/config/* | sed "s|$source_dir/||"
  echo "$version $mirror $(git rev-parse HEAD 2>/dev/null)"  # the revision is a label
) | sha256sum | cut -d' ' -f1)
if [[ -f "$out_dir/inputs.sha256" && "$(cat "$out_dir/inputs.sha256")" == "$inputs" &&
      -f "$out_dir/oci/index.json" ]]; then
  echo "image: up to date ($out_dir/oci:$version)"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "image: must run as root (mmdebstrap --mode=root); try: sudo $0 $*" >&2
  exit 77  # CTest: skipped, not passed
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/referral-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
# Reproducible: every file time is the last commit's (mmdebstrap honours it too).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

# Only extracted, as distroless images are: no maintainer scripts run, so there is no shell or
# dpkg to run them. What those scripts would have made, the extract hook makes: the dpkg records
# that image scanners (Trivy, Grype) read, one file per package in /var/lib/dpkg/status.d, and the
# CA bundle of ca-certificates.
echo "image: root file system from ${#packages[@]} packages and their dependencies"
mmdebstrap --quiet --mode=root --variant=extract --format=directory \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --include="$(IFS=,; echo "${packages[*]}")" \
  --extract-hook='mkdir -p "$1/var/lib/dpkg/status.d"
    for deb in "$1"/var/cache/apt/archives/*.deb; do
      name=$(dpkg-deb -f "$deb" Package)
      dpkg-deb -f "$deb" > "$1/var/lib/dpkg/status.d/$name"
    done
    mkdir -p "$1/etc/ssl/certs"
    cat "$1"/usr/share/ca-certificates/mozilla/*.crt > "$1/etc/ssl/certs/ca-certificates.crt"' \
  bookworm "$rootfs" "$mirror" >"$work/mmdebstrap.log" 2>&1 || { cat "$work/mmdebstrap.log" >&2; exit 1; }

# Trim what a service never reads; keep every package's copyright file.
find "$rootfs/usr/share/doc" -type f ! -name copyright -delete
find "$rootfs/usr/share/doc" -type l -delete
rm -rf "$rootfs"/usr/share/{man,info,lintian,locale,bug} "$rootfs"/var/cache/* \
       "$rootfs"/var/lib/apt "$rootfs"/var/log/* "$rootfs"/dev/*

# One user, not root: 65532 (nonroot), as the chart's runAsUser.
cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/usr/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
nonroot:x:65532:
GROUP
install -d -m 0700 "$rootfs/root"
install -d -m 0555 "$rootfs/proc" "$rootfs/sys"   # mount points, as a runtime expects
install -d -m 0755 -o 65532 -g 65532 "$rootfs/home/nonroot"

# The binaries, without debug symbols (239 MB with them, 9 MB without), and the default config:
# the chart mounts its own over /etc/referral/config.
for s in "${services[@]}"; do
  install -m 0755 "$bin_dir/$s" "$rootfs/usr/bin/$s"
  strip --strip-unneeded "$rootfs/usr/bin/$s"
done
# librdkafka 2.16.0, when the binaries were built to load it (scripts/librdkafka.sh; their RPATH
# names $ORIGIN/../lib/referral-gateway, here /usr/lib/referral-gateway).
rdkafka=$bin_dir/../lib/referral-gateway/librdkafka.so.1
if [[ -f "$rdkafka" ]]; then
  install -d "$rootfs/usr/lib/referral-gateway" "$rootfs/usr/share/doc/referral-gateway"
  install -m 0644 "$rdkafka" "$rootfs/usr/lib/referral-gateway/"
  license=$bin_dir/../tools/librdkafka/LICENSE.confluent-kafka
  [[ -f "$license" ]] && install -m 0644 "$license" "$rootfs/usr/share/doc/referral-gateway/"
fi
install -d "$rootfs/etc/referral/config" "$rootfs/etc/referral/tls"
install -m 0644 deploy/config/* "$rootfs/etc/referral/config/"

# Every library each binary needs must resolve inside the image, librdkafka to the one bundled.
for s in "${services[@]}"; do
  resolved=$(chroot "$rootfs" /lib64/ld-linux-x86-64.so.2 --list "/usr/bin/$s")
  if missing=$(grep 'not found' <<<"$resolved"); then
    echo "image: $s needs libraries the image lacks:"$'\n'"$missing" >&2
    exit 1
  fi
  if [[ -f "$rdkafka" ]] &&
     ! grep -Eq 'librdkafka\.so\.1 => /usr/(bin/\.\./)?lib/referral-gateway/' <<<"$resolved"; then
    echo "image: $s does not load the bundled librdkafka:"$'\n'"$resolved" >&2
    exit 1
  fi
done

# One layer, byte-for-byte the same from the same inputs.
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --clamp-mtime --numeric-owner --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -C "$rootfs" -cf "$work/layer.tar" .

rm -rf "$out_dir/oci" "$out_dir/referral-gateway-oci.tar" "$out_dir/inputs.sha256"
mkdir -p "$out_dir"
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
umoci init --layout "$out_dir/oci"
umoci new --image "$out_dir/oci:$version"
umoci raw add-layer --image "$out_dir/oci:$version" --history.created "$created" \
  --history.created_by "scripts/image.sh" "$work/layer.tar"
umoci config --image "$out_dir/oci:$version" --created "$created" \
  --author "referral-gateway" --os linux --architecture amd64 \
  --config.user 65532:65532 --config.workingdir /home/nonroot \
  --clear=config.env --config.env PATH=/usr/bin \
  --config.cmd /usr/bin/referralctl --config.cmd --help \
  --config.exposedports 9101/tcp --config.exposedports 9102/tcp --config.exposedports 9103/tcp \
  --config.exposedports 9104/tcp --config.exposedports 9105/tcp \
  --config.exposedports 50051/tcp --config.exposedports 50052/tcp \
  --config.label "org.opencontainers.image.title=referral-gateway" \
  --config.label "org.opencontainers.image.description=Police incidents in, standard referrals to children's social care out" \
  --config.label "org.opencontainers.image.version=$version" \
  --config.label "org.opencontainers.image.revision=$revision" \
  --config.label "org.opencontainers.image.base.name=debian:bookworm (packages, extracted)" \
  --history.created "$created" --history.created_by "scripts/image.sh: user, command, labels"
umoci gc --layout "$out_dir/oci"
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --numeric-owner --owner=0 --group=0 \
  -C "$out_dir/oci" -cf "$out_dir/referral-gateway-oci.tar" .
echo "$inputs" > "$out_dir/inputs.sha256"
size=$(du -sh "$out_dir/oci" | cut -f1)
echo "image: $out_dir/oci:$version ($size compressed; $(du -sh "$rootfs" | cut -f1) unpacked)"
