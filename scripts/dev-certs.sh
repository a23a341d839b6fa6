#!/usr/bin/env bash
# Makes the TLS certificates for running and testing the gRPC services with mutual TLS on one
# machine: a test CA, a server certificate for localhost, and for each client name a valid
# client certificate, an expired one and one signed by an unrelated CA (the last two are for
# tests that must see the handshake refused). For development and tests only: every key is
# unencrypted and the CAs sign anything.
#
# Usage: dev-certs.sh OUT_DIR [CLIENT_NAME ...]
#
# Writes into OUT_DIR (created when missing):
#   ca.pem ca.key                      the test CA
#   server.pem server.key              CN=localhost, SAN DNS:localhost IP:127.0.0.1, serverAuth
#   NAME.pem NAME.key                  CN=NAME, SAN DNS:NAME, clientAuth, valid for 30 days
#   NAME-expired.pem NAME-expired.key  the same subject, valid only in January 2020
#   other-ca.pem other-ca.key          a second CA that the services do not trust
#   NAME-other-ca.pem NAME-other-ca.key  the same subject, signed by other-ca
#
# Idempotent: a file that exists is never regenerated (delete it to get a new one); an existing
# key is reused for a missing certificate. Keys are EC P-256, PKCS#8, mode 0600.
# Needs only the openssl command (OpenSSL 3.0 as on Debian 12). Prints one line when it wrote
# something, nothing otherwise.
set -euo pipefail

usage() { echo "usage: dev-certs.sh OUT_DIR [CLIENT_NAME ...]" >&2; exit 2; }
(($# >= 1)) || usage
out=$1
shift

# A client name becomes a file name and a DNS name, and must not collide with the other files.
for name in "$@"; do
  if [[ ! "$name" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
    echo "dev-certs: client name '$name': use letters, digits, '.' and '-' (a DNS name)" >&2
    exit 2
  fi
  case "$name" in
    ca | server | other-ca | *-expired | *-other-ca)
      echo "dev-certs: client name '$name': collides with another file of OUT_DIR" >&2
      exit 2
      ;;
  esac
done

mkdir -p "$out"
work=$(mktemp -d -t dev-certs-XXXXXX)
trap 'rm -rf "$work"' EXIT
umask 077
written=0

# The CAs are dated from before the expired certificates, so that an expired certificate's only
# fault is its dates.
readonly ca_start=20190101000000Z
readonly expired_start=20200101000000Z
readonly expired_end=20200131235959Z

# Writes a fresh P-256 key to $1 unless it exists.
make_key() {
  local key=$1
  [[ -e "$key" ]] && return 0
  if ! openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/key.tmp" \
    2>"$work/log"; then
    cat "$work/log" >&2
    exit 1
  fi
  mv "$work/key.tmp" "$key"
  written=$((written + 1))
}

# Writes a minimal `openssl ca` configuration with a fresh database, and the extension sections
# every certificate here uses, to $work/ca.cnf. $1 is the subjectAltName of leaf certificates.
write_ca_config() {
  local san=$1
  rm -rf "$work/db" && mkdir -p "$work/db/new"
  : >"$work/db/index.txt"
  cat >"$work/ca.cnf" <<EOF
[ ca ]
default_ca = dev_ca

[ dev_ca ]
database = $work/db/index.txt
new_certs_dir = $work/db/new
serial = $work/db/serial
default_md = sha256
policy = policy_cn
unique_subject = no
copy_extensions = none
email_in_dn = no

[ policy_cn ]
commonName = supplied

[ req ]
distinguished_name = req_dn
prompt = no

[ req_dn ]

[ ext_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ ext_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $san

[ ext_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $san
EOF
}

# Issues certificate $1 for key $2 with subject CN=$3.
#   $4: the issuer's basename ("" to self-sign), $5: extension section, $6: subjectAltName,
#   then the validity arguments for `openssl ca` (-days N, or -startdate/-enddate).
# Does nothing when $1 exists; fails when the issuer's key is missing.
issue() {
  local cert=$1 key=$2 cn=$3 issuer=$4 ext=$5 san=$6
  shift 6
  [[ -e "$cert" ]] && return 0
  local signer=(-selfsign -keyfile "$key")
  if [[ -n "$issuer" ]]; then
    if [[ ! -e "$out/$issuer.pem" || ! -e "$out/$issuer.key" ]]; then
      echo "dev-certs: $out/$issuer.pem or .key is missing; cannot sign $cert" >&2
      exit 1
    fi
    signer=(-cert "$out/$issuer.pem" -keyfile "$out/$issuer.key")
  fi
  make_key "$key"
  write_ca_config "$san"
  if ! openssl req -new -config "$work/ca.cnf" -key "$key" -subj "/CN=$cn" -out "$work/req.csr" \
      >"$work/log" 2>&1 ||
    ! openssl ca -batch -notext -rand_serial -config "$work/ca.cnf" -extensions "$ext" \
      "${signer[@]}" -in "$work/req.csr" -out "$work/cert.tmp" "$@" >>"$work/log" 2>&1; then
    cat "$work/log" >&2
    echo "dev-certs: could not issue $cert" >&2
    exit 1
  fi
  chmod 644 "$work/cert.tmp"
  mv "$work/cert.tmp" "$cert"
  written=$((written + 1))
}

issue "$out/ca.pem" "$out/ca.key" "referral-gateway dev CA" "" ext_ca "DNS:unused" \
  -startdate "$ca_start" -days 3650
issue "$out/server.pem" "$out/server.key" localhost ca ext_server "DNS:localhost, IP:127.0.0.1" \
  -days 365

issue "$out/other-ca.pem" "$out/other-ca.key" "referral-gateway other dev CA" "" ext_ca \
  "DNS:unused" -startdate "$ca_start" -days 3650

for name in "$@"; do
  issue "$out/$name.pem" "$out/$name.key" "$name" ca ext_client "DNS:$name" -days 30
  issue "$out/$name-expired.pem" "$out/$name-expired.key" "$name" ca ext_client "DNS:$name" \
    -startdate "$expired_start" -enddate "$expired_end"
  issue "$out/$name-other-ca.pem" "$out/$name-other-ca.key" "$name" other-ca ext_client \
    "DNS:$name" -days 30
done

if ((written > 0)); then
  echo "dev-certs: wrote $written files to $out"
fi
