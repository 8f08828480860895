#!/usr/bin/env bash
# Benchmark of backups and restores against a plain copy of the same bytes to the same target,
# in the same run.
#
#   bench/backup-bench.sh                 # 1 GiB random + 1 GiB compressible, file:// and S3
#   SIZE_MIB=256 bench/backup-bench.sh    # smaller
#   WORKERS=4 bench/backup-bench.sh       # blocks in flight (default 2, the product default)
#   TARGETS=file bench/backup-bench.sh    # only the directory target (default "file s3")
#   JFR=/tmp/svc.jfr bench/backup-bench.sh  # record the backup service and the replica with JFR
#                                         # (/tmp/svc.jfr and /tmp/svc.jfr.replica-<kind>.jfr)
#
# Builds nothing: it expects longhorn-backupstore and longhorn-replica built
# (./mvnw -B install -DskipTests) and resolves S3Proxy's class path with the Maven wrapper.
#
# For each data set it makes a replica directory whose snapshot s1 holds the data and whose
# snapshot s2 changes 10 MiB of it, serves it with a real replica process (bin/longhorn-replica),
# and then, per target (a directory, and S3Proxy with its filesystem backend on loopback), with the
# backups and restores run as jobs of one backup service (bin/longhorn-backup serve, the path the
# manager uses; warmed up with one small backup and restore first):
#   plain copy   cp + sync of the data file (directory) / multipart upload, 8 MiB parts, 4 in
#                flight (S3; bin/longhorn-backup bench-copy)
#   backup       bin/longhorn-backup create --replica <the replica process> s1 (full); for the
#                directory also from dir://<the replica directory> (no replica process)
#   incremental  bin/longhorn-backup create ... s2 (10 MiB changed since s1)
#   plain back   cp + sync back (directory) / ranged parallel download (S3)
#   restore      bin/longhorn-backup restore --to file:///image (every block verified)
#   restore-r    (directory only) restore into a new replica process over the data protocol
# Times are of the operation itself: a job's run time as the service reports it; bench-copy's own
# elapsed time (without the JVM's start-up); cp timed around the command. MB/s are 10^6 bytes of
# volume data per second. The restored image is compared with the data (cmp).
# "CPU s" is the CPU time (user + system) the operation cost, which a busy machine does not
# inflate the way it inflates elapsed time: for our jobs the service's plus the replica's CPU time
# during the job; for cp, cp's; for bench-copy, the process's minus that of a trivial command (the
# JVM's start-up). The load average is printed with the results: on a shared 2-core machine,
# elapsed times partly measure the other load.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
SIZE_MIB="${SIZE_MIB:-1024}"
WORKERS="${WORKERS:-2}"
TARGETS="${TARGETS:-file s3}"
JFR="${JFR:-}"
BENCH_DIR="${BENCH_DIR:-/var/tmp}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
BACKUP="$ROOT/bin/longhorn-backup"

for m in backupstore replica; do
  [[ -f "$ROOT/longhorn-$m/target/quarkus-app/quarkus-run.jar" ]] || {
    echo "longhorn-$m is not built; run ./mvnw -B install -DskipTests first" >&2; exit 1; }
done

WORK="$(mktemp -d "$BENCH_DIR/backup-bench.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
CLK_TCK="$(getconf CLK_TCK)"
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# runs a command under /usr/bin/time; CPU seconds (user + system) land in $WORK/cpu.txt
timed() { /usr/bin/time -f "%U %S" -o "$WORK/cpu.txt" "$@"; }
cpu_of_last() { awk '{ printf "%.2f", $1 + $2 }' "$WORK/cpu.txt"; }
minus() { awk -v a="$1" -v b="$2" -v c="${3:-0}" 'BEGIN { v = a - b + c; if (v < 0) v = 0; printf "%.2f", v }'; }
mbps() { awk -v b="$1" -v ms="$2" 'BEGIN { if (ms <= 0) ms = 1; printf "%.0f", b / 1e6 / (ms / 1000) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 1; printf "%.2f", a / b }'; }
# elapsed ms from a CLI summary line "... in N ms"
cli_ms() { grep -oE 'in [0-9]+ ms' "$1" | tail -1 | grep -oE '[0-9]+'; }

wait_line() { # file pattern
  for _ in $(seq 1 600); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1:" >&2
  cat "$1" >&2
  return 1
}

start_replica() { # dir size_bytes log [jfr file] -> sets REPLICA_CONTROL
  LONGHORN_JAVA_OPTS="${4:+-XX:StartFlightRecording=filename=$4,settings=profile}" "$ROOT/bin/longhorn-replica" --listen 127.0.0.1:0 --size "$2" "$1" >"$3" 2>&1 &
  PIDS+=($!)
  REPLICA_PID=$!
  wait_line "$3" '^replica ready:'
  REPLICA_CONTROL="$(grep -oE 'control=[^ ]+' "$3" | head -1 | cut -d= -f2)"
}

stop_last() {
  local pid="${PIDS[-1]}"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset 'PIDS[-1]'
}

json_meta() { # name parent created
  printf '{"Name":"%s","Parent":"%s","Removed":false,"UserCreated":true,"Created":"%s","Labels":{}}' "$1" "$2" "$3"
}

# A replica directory: s1 = the data, s2 = 10 MiB changed at 300 MiB (or at a quarter of the
# volume when it is smaller), head empty.
make_replica_dir() { # data dir
  local data="$1" dir="$2" size
  size=$(stat -c %s "$data")
  mkdir -p "$dir"
  cp --sparse=always "$data" "$dir/volume-snap-s1.img"
  truncate -s "$size" "$dir/volume-snap-s2.img"
  local mib=$(( size / 1024 / 1024 ))
  local at=$(( mib >= 512 ? 300 : mib / 4 ))
  dd if=/dev/urandom of="$dir/volume-snap-s2.img" bs=1M count=10 seek="$at" conv=notrunc status=none
  truncate -s "$size" "$dir/volume-head-002.img"
  json_meta volume-snap-s1.img "" 2026-01-01T00:00:00Z >"$dir/volume-snap-s1.img.meta"
  json_meta volume-snap-s2.img volume-snap-s1.img 2026-01-01T00:01:00Z >"$dir/volume-snap-s2.img.meta"
  json_meta volume-head-002.img volume-snap-s2.img "" >"$dir/volume-head-002.img.meta"
  printf '{"Size":%d,"Head":"volume-head-002.img","Dirty":false,"Rebuilding":false,"Error":"","Parent":"volume-snap-s2.img","SectorSize":4096,"BackingFilePath":""}' \
    "$size" >"$dir/volume.meta"
}

make_data() { # kind file
  case "$1" in
    random)
      head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom >"$2" ;;
    compressible)
      # log-like text: lz4 stores it in about half the space
      python3 - "$2" "$SIZE_MIB" <<'PY'
import random, sys
path, mib = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
words = ["volume", "replica", "engine", "snapshot", "backup", "write", "read", "flush", "ok", "retry"]
total = mib * 1024 * 1024
with open(path, "wb") as f:
    written = 0
    while written < total:
        lines = []
        for _ in range(4096):
            lines.append("2026-01-01T%02d:%02d:%02d.%06dZ INFO %s %s-%04d offset=%d len=%d\n" % (
                rnd.randrange(24), rnd.randrange(60), rnd.randrange(60), rnd.randrange(10**6),
                rnd.choice(words), rnd.choice(words), rnd.randrange(10000),
                rnd.randrange(1 << 30) * 4096, rnd.choice((4096, 8192, 65536))))
        chunk = "".join(lines).encode()[: total - written]
        f.write(chunk)
        written += len(chunk)
PY
      ;;
  esac
}

# --- S3Proxy on loopback, filesystem backend ---------------------------------------------------
if [[ " $TARGETS " == *" s3 "* ]]; then
S3_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$WORK/s3data/bench"
( cd "$ROOT" && ./mvnw -B -q -pl longhorn-backupstore dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$WORK/s3proxy.cp" >/dev/null )
cat >"$WORK/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench-access
s3proxy.credential=bench-secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$WORK/s3data
jclouds.identity=x
jclouds.credential=y
EOF
"$JAVA_HOME/bin/java" -cp "$(cat "$WORK/s3proxy.cp")" org.gaul.s3proxy.Main --properties "$WORK/s3proxy.properties" \
  >"$WORK/s3proxy.log" 2>&1 &
PIDS+=($!)
S3PROXY_PID=$!
for _ in $(seq 1 600); do
  (exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null && break
  kill -0 "$S3PROXY_PID" 2>/dev/null || { cat "$WORK/s3proxy.log" >&2; exit 1; }
  sleep 0.1
done
export AWS_ACCESS_KEY_ID=bench-access AWS_SECRET_ACCESS_KEY=bench-secret AWS_ENDPOINTS="http://127.0.0.1:$S3_PORT"
fi

# --- the backup service, warmed up -----------------------------------------------------------------
SVC_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
LONGHORN_JAVA_OPTS="${JFR:+-XX:StartFlightRecording=filename=$JFR,settings=profile}" \
  "$BACKUP" serve --listen "127.0.0.1:$SVC_PORT" >"$WORK/service.log" 2>&1 &
PIDS+=($!)
SVC_PID=$!
wait_line "$WORK/service.log" '^backup service ready'
SVC="127.0.0.1:$SVC_PORT"
mkdir -p "$WORK/warmup-target"
head -c $((64 * 1024 * 1024)) /dev/urandom >"$WORK/warmup.img"
make_replica_dir "$WORK/warmup.img" "$WORK/warmup-replica"
"$BACKUP" create --quiet --service "$SVC" --dest "file://$WORK/warmup-target" --replica "dir://$WORK/warmup-replica" \
  --volume warmup s1 >"$WORK/warmup.url" 2>/dev/null
"$BACKUP" restore --quiet --service "$SVC" "$(cat "$WORK/warmup.url")" --to "file://$WORK/warmup-restored.img" 2>/dev/null
rm -rf "$WORK/warmup"*
svc_cpu_start() { SVC_T0=$(proc_ticks "$SVC_PID"); }
svc_cpu() { awk -v a="$(proc_ticks "$SVC_PID")" -v b="$SVC_T0" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (a - b) / t }'; }

BYTES=$((SIZE_MIB * 1024 * 1024))
mkdir -p "$WORK/empty"
JVM_CPU=99
for _ in 1 2 3; do
  timed "$BACKUP" ls "file://$WORK/empty" >/dev/null 2>&1
  JVM_CPU=$(awk -v a="$(cpu_of_last)" -v b="$JVM_CPU" 'BEGIN { printf "%.2f", (a < b ? a : b) }')
done
RESULTS="$WORK/results.txt"
: >"$RESULTS"
row() { # dataset target op ms baseline_ms cpu
  local r="-"
  [[ -n "${5:-}" ]] && r="$(ratio "$5" "$4")"
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$(mbps "$BYTES" "$4")" "$r" "${6:--}" \
    | tee -a "$RESULTS"
}

{
  echo "# backup-bench: ${SIZE_MIB} MiB per data set, targets: $TARGETS, $WORKERS workers, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg); JVM start-up CPU subtracted: $JVM_CPU s"
  echo "| data | target | operation | ms | MB/s | speed vs plain copy | CPU s |"
  echo "|---|---|---|---|---|---|---|"
} | tee -a "$RESULTS"

for kind in random compressible; do
  data="$WORK/$kind.img"
  make_data "$kind" "$data"
  rdir="$WORK/replicas/bench-$kind-0000abcd"
  make_replica_dir "$data" "$rdir"
  start_replica "$rdir" "$BYTES" "$WORK/replica-$kind.log" "${JFR:+$JFR.replica-$kind.jfr}"
  src="$REPLICA_CONTROL"
  src_pid="$REPLICA_PID"

  for target in $TARGETS; do
    if [[ "$target" == file ]]; then
      tdir="$WORK/target-$kind"
      mkdir -p "$tdir"
      url="file://$tdir"
      t0=$(now_ms); timed sh -c 'cp "$1" "$2" && sync "$2"' sh "$data" "$tdir/plain.img"; copy_ms=$(( $(now_ms) - t0 ))
      copy_cpu=$(cpu_of_last)
    else
      url="s3://bench@us-east-1/$kind"
      timed "$BACKUP" bench-copy --s3 "s3://bench@us-east-1/plain/$kind.img" "$data" >"$WORK/copy.out" 2>"$WORK/copy.err"
      copy_ms=$(grep -oE '[0-9]+' "$WORK/copy.out" | tail -1)
      copy_cpu=$(minus "$(cpu_of_last)" "$JVM_CPU")
    fi
    row "$kind" "$target" "plain copy" "$copy_ms" "" "$copy_cpu"

    r0=$(proc_ticks "$src_pid"); svc_cpu_start
    "$BACKUP" create --quiet --service "$SVC" --dest "$url" --replica "$src" --workers "$WORKERS" s1 \
      >"$WORK/b1.url" 2>"$WORK/b1.err" || { cat "$WORK/b1.err" >&2; exit 1; }
    rcpu=$(awk -v a="$(proc_ticks "$src_pid")" -v b="$r0" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (a - b) / t }')
    full_ms=$(cli_ms "$WORK/b1.err")
    row "$kind" "$target" "backup (full)" "$full_ms" "$copy_ms" "$(minus "$(svc_cpu)" 0 "$rcpu")"

    if [[ "$target" == file ]]; then
      # the same snapshot read from the replica directory on disk (no replica process, no gRPC),
      # as another volume so that it is a full backup too: shows what the replica's read path costs
      svc_cpu_start
      "$BACKUP" create --quiet --service "$SVC" --dest "$url" --replica "dir://$rdir" --volume "dir-$kind" \
        --workers "$WORKERS" s1 >/dev/null 2>"$WORK/bd.err" || { cat "$WORK/bd.err" >&2; exit 1; }
      row "$kind" "$target" "backup (full, snapshot read from disk)" "$(cli_ms "$WORK/bd.err")" "$copy_ms" "$(svc_cpu)"
    fi

    "$BACKUP" create --quiet --service "$SVC" --dest "$url" --replica "$src" --workers "$WORKERS" s2 \
      >"$WORK/b2.url" 2>"$WORK/b2.err" || { cat "$WORK/b2.err" >&2; exit 1; }
    inc_ms=$(cli_ms "$WORK/b2.err")
    printf '| %s | %s | incremental backup (10 MiB changed) | %s | - | %s%% of the full backup | - |\n' \
      "$kind" "$target" "$inc_ms" "$(awk -v a="$inc_ms" -v b="$full_ms" 'BEGIN { printf "%.1f", 100 * a / b }')" \
      | tee -a "$RESULTS"

    if [[ "$target" == file ]]; then
      t0=$(now_ms); timed sh -c 'cp "$1" "$2" && sync "$2"' sh "$tdir/plain.img" "$WORK/plain-back.img"
      back_ms=$(( $(now_ms) - t0 ))
      back_cpu=$(cpu_of_last)
    else
      timed "$BACKUP" bench-copy --download --s3 "s3://bench@us-east-1/plain/$kind.img" "$WORK/plain-back.img" \
        >"$WORK/copy.out" 2>"$WORK/copy.err"
      back_ms=$(grep -oE '[0-9]+' "$WORK/copy.out" | tail -1)
      back_cpu=$(minus "$(cpu_of_last)" "$JVM_CPU")
    fi
    cmp -s "$data" "$WORK/plain-back.img" || { echo "plain copy back differs" >&2; exit 1; }
    rm -f "$WORK/plain-back.img"
    row "$kind" "$target" "plain copy back" "$back_ms" "" "$back_cpu"

    svc_cpu_start
    "$BACKUP" restore --quiet --service "$SVC" "$(cat "$WORK/b1.url")" --to "file://$WORK/restored.img" \
      --workers "$WORKERS" 2>"$WORK/r.err" || { cat "$WORK/r.err" >&2; exit 1; }
    row "$kind" "$target" "restore to a file" "$(cli_ms "$WORK/r.err")" "$back_ms" "$(svc_cpu)"
    cmp -s "$data" "$WORK/restored.img" || { echo "restored image differs from the data" >&2; exit 1; }
    rm -f "$WORK/restored.img"

    if [[ "$target" == file ]]; then
      start_replica "$WORK/restored-replica" "$BYTES" "$WORK/restored-replica.log"
      r0=$(proc_ticks "$REPLICA_PID"); svc_cpu_start
      "$BACKUP" restore --quiet --service "$SVC" "$(cat "$WORK/b1.url")" --to "$REPLICA_CONTROL" \
        --workers "$WORKERS" 2>"$WORK/r.err" || { cat "$WORK/r.err" >&2; exit 1; }
      rcpu=$(awk -v a="$(proc_ticks "$REPLICA_PID")" -v b="$r0" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (a - b) / t }')
      row "$kind" "$target" "restore to a replica" "$(cli_ms "$WORK/r.err")" "$back_ms" "$(minus "$(svc_cpu)" 0 "$rcpu")"
      stop_last
      rm -rf "$WORK/restored-replica"
    fi
    if [[ "$target" == file ]]; then
      echo "   ($kind on file://: $(du -sm "$tdir" | cut -f1) MiB on disk with the plain copy of $SIZE_MIB MiB)" >&2
      rm -rf "$tdir"
    fi
  done
  stop_last
  rm -rf "$rdir" "$data"
  if [[ -d "$WORK/s3data/bench" ]]; then rm -rf "$WORK/s3data/bench/"*; fi
done

echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS"
mkdir -p "$ROOT/bench/out"
cp "$RESULTS" "$ROOT/bench/out/backup-bench-$(date -u +%Y%m%dT%H%M%SZ).md"
