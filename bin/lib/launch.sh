#!/usr/bin/env bash
# Shared by the bin/longhorn-<service> launchers: runs a service from its build output.
#
#   source "$(dirname "$(readlink -f "$0")")/lib/launch.sh"
#   launch <service> "$@"
#
# Runs longhorn-<service>/target/*-runner when a native build produced one that is newer than the
# JVM build, else the JVM build longhorn-<service>/target/quarkus-app/quarkus-run.jar with
# $JAVA_HOME/bin/java (or java on the PATH). Extra JVM options go in LONGHORN_JAVA_OPTS. The
# service replaces this shell (exec), so its process id is the launcher's and signals reach it
# directly.
#
# Start-up cache (JVM mode, JDK 25+): a service that runs as a server (the launcher sets
# LONGHORN_SERVER_RUN=1) uses the JDK's ahead-of-time cache quarkus-app/app.aot, which holds the
# classes loaded and linked and the method profiles of a training run, so it starts faster
# (a replica on an idle 2-core machine: 0.75 s instead of 1.1 s). The build records it: each
# service module's package phase runs bin/lib/aot-train, which starts the server through this
# launcher with LONGHORN_AOT_RECORD=1 and stops it. A cache older than the jar is not used.
# LONGHORN_AOT=0 turns it off (at build time: no training run).
# Servers also start with the options in bin/lib/server-jvm-options (a small heap that grows with
# the load, the serial collector, the start-up cache shared between processes); LONGHORN_JAVA_OPTS
# comes after them on the command line, so options there win (-XX:+UseG1GC alone is not enough:
# add -XX:-UseSerialGC).

LONGHORN_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"

launch() {
  local service="$1"
  shift
  local module="$LONGHORN_ROOT/longhorn-$service"
  local candidate
  local jar="$module/target/quarkus-app/quarkus-run.jar"
  for candidate in "$module"/target/*-runner; do
    if [[ -f "$candidate" && -x "$candidate" && ( ! -f "$jar" || "$candidate" -nt "$jar" ) ]]; then
      exec "$candidate" "$@"
    fi
  done
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
  local aot=() server=()
  if [[ "${LONGHORN_SERVER_RUN:-0}" == 1 ]]; then
    # One engine and its replicas run per volume, so a node runs many of these JVMs: see the file.
    mapfile -t server < <(grep -v '^[[:space:]]*\(#\|$\)' "$LONGHORN_ROOT/bin/lib/server-jvm-options")
    if [[ "${LONGHORN_AOT:-1}" != 0 ]]; then
      aot_options "$java" "$module/target/quarkus-app" "$jar"
    fi
  fi
  # Neither reaches the processes this one starts (the manager starts engines and replicas).
  unset LONGHORN_SERVER_RUN LONGHORN_AOT_RECORD
  # shellcheck disable=SC2086 # LONGHORN_JAVA_OPTS is a list of options
  exec "$java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow "${server[@]}" "${aot[@]}" ${LONGHORN_JAVA_OPTS:-} -jar "$jar" "$@"
}

# Sets aot=(...) to the JVM options that use the start-up cache of the app in $2, or record it
# (LONGHORN_AOT_RECORD=1, the build's training run: the JVM writes the cache when it exits; what it
# reports about classes it cannot store goes to the training log only).
aot_options() {
  local java="$1" app="$2" jar="$3"
  local cache="$app/app.aot"
  local home release
  home="$(dirname "$(dirname "$(readlink -f "$(command -v "$java")")")")"
  release="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null || true)"
  if [[ -z "$release" || "$release" -lt 25 ]]; then
    return 0
  fi
  if [[ "${LONGHORN_AOT_RECORD:-0}" == 1 ]]; then
    rm -f "$cache"
    aot=(-XX:AOTCacheOutput="$cache")
  elif [[ -f "$cache" && "$cache" -nt "$jar" ]]; then
    aot=(-XX:AOTCache="$cache")
  fi
}
