#!/usr/bin/env bash
# Copies the run-time jars of an Apache Kafka broker (tests/kafka/pom.xml: kafka_2.13 + Log4j2)
# from Maven Central into a cache outside the repository:
#   ${KAFKA_CACHE_DIR:-$HOME/.cache/referral-gateway}/kafka-${KAFKA_VERSION:-4.4.0}/lib
# Idempotent: when the marker file of a complete fetch exists it does nothing, silently.
# Concurrent callers are serialised with flock; a half-done fetch is never taken as complete.
# Usage: fetch.sh            (KAFKA_VERSION, KAFKA_CACHE_DIR, LOG4J_VERSION may be set)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=${KAFKA_VERSION:-4.4.0}
log4j_version=${LOG4J_VERSION:-2.26.1}
cache=${KAFKA_CACHE_DIR:-$HOME/.cache/referral-gateway}
dest=$cache/kafka-$version
marker=$dest/.complete

[[ -f $marker ]] && exit 0

for tool in mvn java; do
  command -v "$tool" >/dev/null 2>&1 || { echo "fetch.sh: '$tool' is not installed" >&2; exit 1; }
done

mkdir -p "$dest"
exec 9>"$dest/.lock"
flock 9
[[ -f $marker ]] && exit 0  # another caller finished while we waited for the lock

echo "fetch.sh: downloading Kafka $version broker jars into $dest/lib" >&2
tmp=$dest/lib.tmp.$$
rm -rf "$tmp"
start=$SECONDS
if ! mvn -q -B -Dstyle.color=never -f "$here/pom.xml" \
    -Dkafka.version="$version" -Dlog4j.version="$log4j_version" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
    >"$dest/mvn.log" 2>&1; then
  echo "fetch.sh: mvn failed; its output ($dest/mvn.log):" >&2
  tail -n 40 "$dest/mvn.log" >&2
  rm -rf "$tmp"
  exit 1
fi
compgen -G "$tmp/kafka_2.13-$version.jar" >/dev/null || {
  echo "fetch.sh: kafka_2.13-$version.jar missing after mvn" >&2; exit 1; }
rm -rf "${dest:?}/lib"
mv "$tmp" "$dest/lib"
echo "kafka $version, log4j $log4j_version, fetched in $((SECONDS - start)) s" >"$marker"
