#!/usr/bin/env bash
# Resolves Apache Kafka's broker and its run-time jars from Maven Central into lib/.
# Does nothing when lib/ already holds the version pom.xml asks for.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version=$(sed -n 's#.*<kafka.version>\(.*\)</kafka.version>.*#\1#p' "$here/pom.xml")
if [ -f "$here/lib/kafka_2.13-$version.jar" ]; then
  exit 0
fi
echo "fetching Apache Kafka $version from Maven Central into $here/lib" >&2
rm -rf "$here/lib"
mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$here/lib"
