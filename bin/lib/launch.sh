#!/usr/bin/env bash
# Shared by the bin/longhorn-<service> launchers: runs a service from its build output.
#
#   source "$(dirname "$(readlink -f "$0")")/lib/launch.sh"
#   launch <service> "$@"
#
# Runs longhorn-<service>/target/*-runner when a native build produced one, else the JVM build
# longhorn-<service>/target/quarkus-app/quarkus-run.jar with $JAVA_HOME/bin/java (or java on the
# PATH). Extra JVM options go in LONGHORN_JAVA_OPTS. The service replaces this shell (exec), so
# its process id is the launcher's and signals reach it directly.

LONGHORN_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"

launch() {
  local service="$1"
  shift
  local module="$LONGHORN_ROOT/longhorn-$service"
  local candidate
  for candidate in "$module"/target/*-runner; do
    if [[ -f "$candidate" && -x "$candidate" ]]; then
      exec "$candidate" "$@"
    fi
  done
  local jar="$module/target/quarkus-app/quarkus-run.jar"
  if [[ ! -f "$jar" ]]; then
    echo "longhorn-$service: not built yet ($jar is missing)." >&2
    echo "Build it from $LONGHORN_ROOT with: ./mvnw -B install -DskipTests" >&2
    exit 127
  fi
  local java=java
  if [[ -n "${JAVA_HOME:-}" ]]; then
    java="$JAVA_HOME/bin/java"
  elif ! java -version 2>&1 | grep -q 'version "\(2[5-9]\|[3-9][0-9]\)'; then
    # The services need Java 25; use a JDK 25 installed in the usual place before an older default.
    for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
      if [[ -x "$candidate/bin/java" ]]; then java="$candidate/bin/java"; break; fi
    done
  fi
  # shellcheck disable=SC2086 # LONGHORN_JAVA_OPTS is a list of options
  exec "$java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow ${LONGHORN_JAVA_OPTS:-} -jar "$jar" "$@"
}
