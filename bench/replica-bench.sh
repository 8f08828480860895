#!/usr/bin/env bash
# Benchmark of the replica's data protocol against fio on a plain file, in the same run.
#
#   bench/replica-bench.sh            # 15 s per pattern, 1 GiB volume
#   DURATION=5 bench/replica-bench.sh # shorter
#   TRANSPORT=unix bench/replica-bench.sh # the data protocol over the Unix socket instead of TCP
#
# Builds nothing: it expects longhorn-replica/target/quarkus-app (./mvnw -B install -DskipTests).
# Starts one replica on a temporary directory on loopback, drives it with the load generator
# (what bin/longhorn-replica bench runs), runs fio (libaio, direct=1) on a plain file in the same file system
# with the same patterns, and prints IOPS, MB/s (10^6 bytes) and the replica/fio ratio.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
DURATION="${DURATION:-15}"
SIZE="${SIZE:-1Gi}"
WARMUP="${WARMUP:-5}"
TRANSPORT="${TRANSPORT:-tcp}"
BENCH_DIR="${BENCH_DIR:-/var/tmp}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

command -v fio >/dev/null || { echo "fio is not installed (apt-get install -y fio)" >&2; exit 1; }
[[ -f "$ROOT/longhorn-replica/target/quarkus-app/quarkus-run.jar" ]] || {
  echo "longhorn-replica is not built; run ./mvnw -B install -DskipTests first" >&2; exit 1; }

WORK="$(mktemp -d "$BENCH_DIR/replica-bench.XXXXXX")"
REPLICA_PID=""
cleanup() {
  if [[ -n "$REPLICA_PID" ]] && kill -0 "$REPLICA_PID" 2>/dev/null; then
    kill "$REPLICA_PID" 2>/dev/null || true
    wait "$REPLICA_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

SIZE_BYTES="$(numfmt --from=iec-i "$SIZE")"

# Run from a copy of the build, so that a rebuild in the work tree during the run changes nothing.
cp -r "$ROOT/longhorn-replica/target/quarkus-app" "$WORK/app"
REPLICA=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
         -jar "$WORK/app/quarkus-run.jar")

"${REPLICA[@]}" --listen 127.0.0.1:0 --size "$SIZE" --data-socket "$WORK/data.sock" "$WORK/replica" \
  >"$WORK/replica.log" 2>&1 &
REPLICA_PID=$!
for _ in $(seq 1 120); do
  grep -q '^replica ready:' "$WORK/replica.log" && break
  kill -0 "$REPLICA_PID" 2>/dev/null || { cat "$WORK/replica.log" >&2; exit 1; }
  sleep 0.5
done
DATA="$(sed -n 's/^replica ready: .* data=\(tcp:[^ ]*\) .*/\1/p' "$WORK/replica.log")"
[[ -n "$DATA" ]] || { echo "the replica did not become ready:" >&2; cat "$WORK/replica.log" >&2; exit 1; }
if [[ "$TRANSPORT" == unix ]]; then
  DATA="unix://$WORK/data.sock"
fi
echo "replica data protocol at $DATA; fio on $WORK/plain.img; ${DURATION}s per run" >&2

# One load-generator run; prints "iops mbps".
replica_run() { # pattern bs depth seconds
  "${REPLICA[@]}" bench --address "$DATA" --size "$SIZE" --pattern "$1" --bs "$2" \
      --depth "$3" --duration "${4}s" 2>/dev/null \
    | sed -n 's/^RESULT .* iops=\([0-9.]*\) mbps=\([0-9.]*\) .*/\1 \2/p'
}

# One fio run on the plain file; prints "iops mbps".
fio_run() { # pattern bs depth seconds
  fio --name=plain --filename="$WORK/plain.img" --size="$SIZE_BYTES" --ioengine=libaio --direct=1 \
      --rw="$1" --bs="$2" --iodepth="$3" --time_based --runtime="$4" --ramp_time=1 --norandommap \
      --randrepeat=0 --group_reporting --output-format=json 2>/dev/null \
    | python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0]
side = j["write"] if j["write"]["io_bytes"] > 0 else j["read"]
print("%.0f %.1f" % (side["iops"], side["bw_bytes"] / 1e6))'
}

# The replica does buffered I/O. Each replica run starts with its files written back and out of
# the page cache: no dirty pages of the previous run are still being written, reads start from the
# disk as fio's do, and the page cache holds folios the size of this run's own I/O. (Since Linux
# 6.x, ext4 caches sequentially written data in large folios, and every 4 KiB write into a large
# folio walks all of its buffers: random 4 KiB writes into data that 1 MiB writes left in the cache
# run several times slower.)
evict_replica_cache() {
  sync
  local f
  for f in "$WORK"/replica/*.img; do
    dd if="$f" iflag=nocache count=0 status=none
  done
}

echo "Filling the replica and the plain file ($SIZE each) ..." >&2
replica_run fill 1m 8 0 >/dev/null
fio --name=fill --filename="$WORK/plain.img" --size="$SIZE_BYTES" --ioengine=libaio --direct=1 --rw=write \
    --bs=1M --iodepth=8 --output-format=json >/dev/null 2>&1
echo "Warming up the replica's JIT ..." >&2
replica_run randwrite 4k 16 "$WARMUP" >/dev/null
replica_run randread 4k 16 "$WARMUP" >/dev/null
replica_run write 1m 8 "$WARMUP" >/dev/null

printf '%-22s %12s %12s %10s %10s %8s %8s\n' "pattern" "replica IOPS" "fio IOPS" "replica MB/s" "fio MB/s" "IOPS x" "MB/s x"
for spec in "randwrite 4k 16" "randread 4k 16" "randwrite 4k 64" "randread 4k 64" "write 1m 8" "read 1m 8"; do
  set -- $spec
  evict_replica_cache
  read -r r_iops r_mbps < <(replica_run "$1" "$2" "$3" "$DURATION")
  sync
  read -r f_iops f_mbps < <(fio_run "$1" "$2" "$3" "$DURATION")
  ratio_iops="$(python3 -c "print('%.2f' % ($r_iops / $f_iops))")"
  ratio_mbps="$(python3 -c "print('%.2f' % ($r_mbps / $f_mbps))")"
  printf '%-22s %12.0f %12.0f %10.1f %10.1f %8s %8s\n' "$1 $2 qd$3" "$r_iops" "$f_iops" "$r_mbps" "$f_mbps" \
    "$ratio_iops" "$ratio_mbps"
done
