#!/usr/bin/env bash
# Memory footprint of the data-path services (not a test): the proportional set size (PSS) of
# replica and engine processes as a node runs them, many at once.
#
#   bench/footprint.sh                        # 10 idle volumes, and one volume under load
#   COUNT=20 bench/footprint.sh
#   LONGHORN_JAVA_OPTS='-XX:+UseG1GC -XX:-UseSerialGC' bench/footprint.sh   # compare options
#
# Starts COUNT attached volumes that stay idle, each an engine (bin/longhorn-engine, NBD frontend)
# over one replica (bin/longhorn-replica; its own directory and volume secret, as the manager runs
# them), and one more volume with three replicas that fio loads through its engine: COUNT + 1
# engines and COUNT + 3 replicas run. It measures every process three times:
#   started  SETTLE seconds after the last "ready" line;
#   loaded   right after LOAD seconds of fio through the engine (4 KiB random writes and reads at
#            qd16, 1 MiB sequential writes and reads at qd8, a quarter of LOAD each);
#   idle     SETTLE seconds after that.
# PSS counts a shared page (the start-up cache, libjvm, the JDK's modules) once in total, split
# between the processes that map it, so the sum over processes is what the node pays. RSS counts it
# in every process. Anon is the private part (heap, JIT code, thread stacks, the cache's written
# pages). nbdkit serving a file of the same size is measured as a reference point.
#
# Builds nothing: it expects longhorn-replica and longhorn-engine built (./mvnw -B install
# -DskipTests). Writes a Markdown summary to bench/out/footprint-<time>.md and prints it.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
# shellcheck source=bench/lib/servers.sh
source "$ROOT/bench/lib/servers.sh"
COUNT="${COUNT:-10}"
SETTLE="${SETTLE:-20}"
LOAD="${LOAD:-20}"
SIZE="${SIZE:-1Gi}"
BENCH_DIR="${BENCH_DIR:-/var/tmp}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

for m in replica engine; do
  [[ -f "$ROOT/longhorn-$m/target/quarkus-app/quarkus-run.jar" ]] || {
    echo "longhorn-$m is not built; run ./mvnw -B install -DskipTests first" >&2; exit 1; }
done
for tool in fio nbdkit python3; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install -y fio nbdkit python3)" >&2; exit 1; }
done

WORK="$(mktemp -d "$BENCH_DIR/footprint.XXXXXX")"
PIDS=()
trap cleanup_servers EXIT

SIZE_BYTES="$(numfmt --from=iec-i "$SIZE")"

secret() { # file
  (umask 077 && head -c 32 /dev/urandom >"$1")
}

start_replica() { # volume name; appends "log:pid" to REPLICA_LOGS
  "$ROOT/bin/longhorn-replica" --listen 127.0.0.1:0 --size "$SIZE" --secret-file "$WORK/$1.secret" \
    "$WORK/$2" >"$WORK/$2.log" 2>&1 &
  PIDS+=("$!")
  NAMES["$!"]="replica $1"
  REPLICA_LOGS+=("$WORK/$2.log:$!:$1")
}

start_engine() { # volume; appends "log:pid" to ENGINE_LOGS (its replicas' addresses in ADDRS[volume])
  # shellcheck disable=SC2086 # a list of options
  "$ROOT/bin/longhorn-engine" controller --listen 127.0.0.1:0 --frontend nbd --nbd-listen 127.0.0.1:0 \
    --secret-file "$WORK/$1.secret" ${ADDRS[$1]} "$1" >"$WORK/$1.log" 2>&1 &
  PIDS+=("$!")
  NAMES["$!"]="engine $1"
  ENGINE_LOGS+=("$WORK/$1.log:$!:$1")
}

declare -A NAMES ADDRS
REPLICA_LOGS=()
ENGINE_LOGS=()
echo "Starting $COUNT idle volumes (an engine and a replica each), one volume with 3 replicas, and nbdkit ($SIZE each) in $WORK ..." >&2
VOLUMES=(served)
for i in $(seq 1 "$COUNT"); do VOLUMES+=("idle$i"); done
for v in "${VOLUMES[@]}"; do
  secret "$WORK/$v.secret"
done
start_replica served served-a
start_replica served served-b
start_replica served served-c
for i in $(seq 1 "$COUNT"); do
  start_replica "idle$i" "idle$i-r"
done
for entry in "${REPLICA_LOGS[@]}"; do
  IFS=: read -r log pid volume <<<"$entry"
  line="$(wait_ready "$log" "$pid" replica)"
  ADDRS[$volume]+=" --replica tcp://$(sed -n 's/^replica ready: control=\([^ ]*\) .*/\1/p' <<<"$line")"
done
for v in "${VOLUMES[@]}"; do
  start_engine "$v"
done
for entry in "${ENGINE_LOGS[@]}"; do
  IFS=: read -r log pid volume <<<"$entry"
  line="$(wait_ready "$log" "$pid" engine)"
  [[ "$volume" == served ]] && URI="$(sed -n 's/^engine ready: .*nbd=\([^ ]*\).*/\1/p' <<<"$line")"
done
truncate -s "$SIZE_BYTES" "$WORK/plain.img"
NBDKIT_PORT="$(free_port)"
nbdkit -f -i 127.0.0.1 -p "$NBDKIT_PORT" file "$WORK/plain.img" >"$WORK/nbdkit.log" 2>&1 &
NBDKIT_PID="$!"
PIDS+=("$NBDKIT_PID")
NAMES["$NBDKIT_PID"]="nbdkit"

# One line per process: "phase name pid rss pss anon" (KiB), from /proc/<pid>/smaps_rollup.
measure() { # phase
  local pid
  for pid in "${PIDS[@]}"; do
    awk -v phase="$1" -v name="${NAMES[$pid]// /_}" -v pid="$pid" '
      /^Rss:/ { rss = $2 } /^Pss:/ { pss = $2 } /^Pss_Anon:/ { anon = $2 }
      END { print phase, name, pid, rss, pss, anon }' "/proc/$pid/smaps_rollup"
  done >>"$WORK/samples"
}

sleep "$SETTLE"
measure started
echo "Load through the engine ($LOAD s) ..." >&2
quarter=$(( LOAD / 4 > 1 ? LOAD / 4 : 1 ))
for spec in "randwrite 4k 16" "randread 4k 16" "write 1m 8" "read 1m 8"; do
  read -r rw bs depth <<<"$spec"
  fio --name=load --ioengine=nbd --uri="$URI" --rw="$rw" --bs="$bs" --iodepth="$depth" \
    --size="$SIZE_BYTES" --time_based --runtime="$quarter" --norandommap --randrepeat=0 \
    --output-format=terse >/dev/null 2>&1
  fio --name=load --ioengine=nbd --uri="nbd://127.0.0.1:$NBDKIT_PORT/" --rw="$rw" --bs="$bs" \
    --iodepth="$depth" --size="$SIZE_BYTES" --time_based --runtime="$quarter" --norandommap \
    --randrepeat=0 --output-format=terse >/dev/null 2>&1
done
measure loaded
sleep "$SETTLE"
measure idle

mkdir -p "$ROOT/bench/out"
OUT="$ROOT/bench/out/footprint-$(date -u +%Y%m%dT%H%M%SZ).md"
python3 - "$WORK/samples" "$COUNT" "${LONGHORN_JAVA_OPTS:-}" "$(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT" <<'EOF'
import sys
from collections import defaultdict
path, count, opts, load = sys.argv[1:5]
rows = defaultdict(list)
for line in open(path):
    phase, name, pid, rss, pss, anon = line.split()
    kind = "nbdkit" if name == "nbdkit" else \
        ("engine" if name.startswith("engine") else "replica") + \
        (" (volume under load)" if name.endswith("_served") else " (idle volume)")
    rows[(phase, kind)].append((int(rss) / 1024, int(pss) / 1024, int(anon) / 1024))
print(f"{count} idle volumes (engine + 1 replica each) + 1 volume under load (engine + 3 replicas); "
      f"extra JVM options: {opts or '(none)'}; "
      f"load average at the end {load}\n")
print("| phase | process | n | RSS MiB (mean) | PSS MiB (mean) | PSS MiB (max) | private anon MiB (mean) |")
print("|---|---|---:|---:|---:|---:|---:|")
for phase in ("started", "loaded", "idle"):
    for kind in ("replica (idle volume)", "engine (idle volume)", "replica (volume under load)",
                 "engine (volume under load)", "nbdkit"):
        v = rows.get((phase, kind))
        if not v:
            continue
        n = len(v)
        print(f"| {phase} | {kind} | {n} | {sum(r for r, _, _ in v) / n:.1f} | "
              f"{sum(p for _, p, _ in v) / n:.1f} | {max(p for _, p, _ in v):.1f} | "
              f"{sum(a for _, _, a in v) / n:.1f} |")
EOF
cat "$OUT"
echo "(written to $OUT)" >&2
