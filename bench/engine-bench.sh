#!/usr/bin/env bash
# Benchmark of the engine's NBD export against nbdkit's file plugin, in the same run.
#
#   bench/engine-bench.sh                        # 20 s per run, 1 GiB volumes
#   DURATION=5 SIZE=512Mi bench/engine-bench.sh  # shorter
#   ROUNDS=3 bench/engine-bench.sh               # repeat every run 3 times and average
#   TRANSPORT=unix bench/engine-bench.sh         # engine -> replica data over Unix sockets
#   SECRET=none bench/engine-bench.sh            # engine and replicas without a volume secret
#   ONLY='randread 4k 16;write 1m 8' bench/engine-bench.sh   # only these patterns
#   JFR=/tmp/e3 bench/engine-bench.sh            # record the 3-replica engine and one of its
#                                                # replicas with JFR during the measured runs
#                                                # (/tmp/e3-engine.jfr, /tmp/e3-replica.jfr);
#                                                # bench/jfr-top.py reads them
#
# Builds nothing: it expects longhorn-replica and longhorn-engine built
# (./mvnw -B install -DskipTests). On loopback it starts:
#   - nbdkit's file plugin on a plain file (the baseline),
#   - an engine over 1 replica,
#   - an engine over 3 replicas,
# fills all three, warms up the engines' JIT, then for each pattern runs fio's nbd engine against
# the three targets one after the other (alternating, so that drift on this noisy machine hits
# all of them alike). It prints IOPS, MB/s (10^6 bytes), mean and p99 completion latency, the
# ratios to the baseline, the CPU time spent per request (nbdkit; the engine; its replicas together;
# from /proc/<pid>/stat over the measured part of each run), the peak RSS of the engines and
# replicas, and checks the goals.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
# shellcheck source=bench/lib/servers.sh
source "$ROOT/bench/lib/servers.sh"
DURATION="${DURATION:-20}"
SIZE="${SIZE:-1Gi}"
WARMUP="${WARMUP:-5}"
ROUNDS="${ROUNDS:-1}"
# tcp: the engine reaches its replicas' data servers over loopback TCP; unix: each replica also
# serves a Unix socket, which the engine prefers for a replica on its own host.
TRANSPORT="${TRANSPORT:-tcp}"
# file: engine and replicas share a volume secret, as the manager runs them (connect-time
# challenge-response); none: no secret.
SECRET="${SECRET:-file}"
BENCH_DIR="${BENCH_DIR:-/var/tmp}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

for tool in fio nbdkit python3; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install -y fio nbdkit python3)" >&2; exit 1; }
done
for module in replica engine; do
  [[ -f "$ROOT/longhorn-$module/target/quarkus-app/quarkus-run.jar" ]] || ls "$ROOT"/longhorn-$module/target/*-runner >/dev/null 2>&1 || {
    echo "longhorn-$module is not built; run ./mvnw -B install -DskipTests first" >&2; exit 1; }
done

WORK="$(mktemp -d "$BENCH_DIR/engine-bench.XXXXXX")"
PIDS=()
trap cleanup_servers EXIT

SIZE_BYTES="$(numfmt --from=iec-i "$SIZE")"

SECRET_ARGS=()
if [[ "$SECRET" == file ]]; then
  (umask 077 && head -c 32 /dev/urandom >"$WORK/volume.secret")
  SECRET_ARGS=(--secret-file "$WORK/volume.secret")
fi

start_replica() { # name; sets ADDR to its control address
  local socket=()
  [[ "$TRANSPORT" == unix ]] && socket=(--data-socket "$WORK/$1.sock")
  "$ROOT/bin/longhorn-replica" --listen 127.0.0.1:0 --size "$SIZE" "${socket[@]}" "${SECRET_ARGS[@]}" "$WORK/$1" >"$WORK/$1.log" 2>&1 &
  PIDS+=("$!")
  echo "$!" >"$WORK/$1.pid"
  ADDR="$(wait_ready "$WORK/$1.log" "$!" replica | sed -n 's/^replica ready: control=\([^ ]*\) .*/\1/p')"
  [[ -n "$ADDR" ]] || exit 1
}

start_engine() { # volume replica-control-address...; sets URI to its NBD export
  local volume="$1"
  shift
  local args=()
  for r in "$@"; do
    args+=(--replica "tcp://$r")
  done
  "$ROOT/bin/longhorn-engine" controller --listen 127.0.0.1:0 --frontend nbd --nbd-listen 127.0.0.1:0 "${SECRET_ARGS[@]}" \
      "${args[@]}" "$volume" >"$WORK/$volume.log" 2>&1 &
  PIDS+=("$!")
  echo "$!" >"$WORK/$volume.pid"
  URI="$(wait_ready "$WORK/$volume.log" "$!" engine | sed -n 's/^engine ready: .*nbd=\([^ ]*\).*/\1/p')"
  [[ -n "$URI" ]] || exit 1
}

echo "Starting nbdkit, 4 replicas and 2 engines ($SIZE volumes) in $WORK ..." >&2
truncate -s "$SIZE_BYTES" "$WORK/plain.img"
NBDKIT_PORT="$(free_port)"
nbdkit -f -i 127.0.0.1 -p "$NBDKIT_PORT" file "$WORK/plain.img" >"$WORK/nbdkit.log" 2>&1 &
PIDS+=("$!")
NBDKIT_PID="$!"
start_replica r1; R1="$ADDR"
start_replica r3a; R3A="$ADDR"
start_replica r3b; R3B="$ADDR"
start_replica r3c; R3C="$ADDR"
URI_BASE="nbd://127.0.0.1:$NBDKIT_PORT/"
start_engine bench1 "$R1"; URI_E1="$URI"
start_engine bench3 "$R3A" "$R3B" "$R3C"; URI_E3="$URI"
for _ in $(seq 1 40); do
  nbdinfo --size "$URI_BASE" >/dev/null 2>&1 && break
  sleep 0.25
done
echo "  nbdkit   $URI_BASE" >&2
echo "  engine 1 $URI_E1 (replica $R1)" >&2
echo "  engine 3 $URI_E3 (replicas $R3A $R3B $R3C)" >&2

# One fio run; prints "iops mbps mean_us p99_us".
fio_run() { # uri rw bs depth seconds
  fio --name=bench --ioengine=nbd --uri="$1" --rw="$2" --bs="$3" --iodepth="$4" --size="$SIZE_BYTES" \
      --time_based --runtime="$5" --ramp_time=2 --norandommap --randrepeat=0 --output-format=json 2>/dev/null \
    | python3 -c '
import json, sys
text = sys.stdin.read()
j = json.loads(text[text.index("{"):])["jobs"][0]
side = j["write"] if j["write"]["io_bytes"] > 0 else j["read"]
clat = side["clat_ns"]
p99 = clat.get("percentile", {}).get("99.000000", 0)
print("%.0f %.1f %.1f %.1f" % (side["iops"], side["bw_bytes"] / 1e6, clat["mean"] / 1e3, p99 / 1e3))'
}

# Peak RSS (MiB) of the given processes while a command runs, written to a file per process.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
sample_rss() { # pid... ; runs until killed
  while true; do
    for pid in "$@"; do
      local now peak
      now="$(rss_kib "$pid")"
      peak="$(cat "$WORK/rss.$pid" 2>/dev/null || echo 0)"
      if (( now > peak )); then
        echo "$now" >"$WORK/rss.$pid"
      fi
    done
    sleep 0.5
  done
}

echo "Filling the three targets ..." >&2
for uri in "$URI_BASE" "$URI_E1" "$URI_E3"; do
  fio --name=fill --ioengine=nbd --uri="$uri" --rw=write --bs=1M --iodepth=8 --size="$SIZE_BYTES" \
      --output-format=json >/dev/null 2>&1
done
echo "Warming up the engines' JIT ..." >&2
for uri in "$URI_E1" "$URI_E3"; do
  for spec in "randwrite 4k 16" "randread 4k 16" "write 1m 8" "read 1m 8"; do
    set -- $spec
    fio_run "$uri" "$1" "$2" "$3" "$WARMUP" >/dev/null
  done
done

ENGINE_PIDS=("$(cat "$WORK/bench1.pid")" "$(cat "$WORK/bench3.pid")")
REPLICA_PIDS=()
for r in r1 r3a r3b r3c; do
  REPLICA_PIDS+=("$(cat "$WORK/$r.pid")")
done
sample_rss "${ENGINE_PIDS[@]}" "${REPLICA_PIDS[@]}" &
SAMPLER=$!
PIDS+=("$SAMPLER")

# CPU time (user + system, clock ticks) of a process so far.
CLK_TCK="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# The processes serving a target: the server first (nbdkit or the engine), then its replicas.
serving_pids() {
  case "$1" in
    base) echo "$NBDKIT_PID" ;;
    e1) echo "${ENGINE_PIDS[0]} ${REPLICA_PIDS[0]}" ;;
    e3) echo "${ENGINE_PIDS[1]} ${REPLICA_PIDS[1]} ${REPLICA_PIDS[2]} ${REPLICA_PIDS[3]}" ;;
  esac
}
# fio_run plus "server_us replicas_us": CPU microseconds per request of the server and of its
# replicas together (0 without), over the measured part of the run (after fio's 2 s ramp). A write
# reaches every replica, a read one of them: per replica, a write costs replicas_us / N.
measured_run() { # target uri rw bs depth seconds
  local target="$1" pids start end
  shift
  pids="$(serving_pids "$target")"
  (sleep 2; for p in $pids; do echo "$p $(cpu_ticks "$p")"; done >"$WORK/cpu.start") &
  local sampler=$!
  local out
  out="$(fio_run "$@")"
  for p in $pids; do echo "$p $(cpu_ticks "$p")"; done >"$WORK/cpu.end"
  wait "$sampler" 2>/dev/null || true
  python3 - "$out" "$5" "$CLK_TCK" "$WORK/cpu.start" "$WORK/cpu.end" <<'PY'
import sys
out, seconds, tck, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
iops = float(out.split()[0])
requests = max(iops * seconds, 1.0)
a = [line.split() for line in open(start)]
b = dict(line.split() for line in open(end))
us = [(int(b[p]) - int(t)) * 1e6 / tck / requests for p, t in a]
replicas = us[1:]
print(out, "%.1f %.1f" % (us[0], sum(replicas)))
PY
}

# JFR=prefix: record the 3-replica engine and its first replica during the measured runs only.
JFR_PIDS=()
if [[ -n "${JFR:-}" ]]; then
  JFR_PIDS=("${ENGINE_PIDS[1]}:engine" "${REPLICA_PIDS[1]}:replica")
  for p in "${JFR_PIDS[@]}"; do
    "$JAVA_HOME/bin/jcmd" "${p%%:*}" JFR.start name=bench settings=profile >/dev/null
  done
fi

RESULTS="$WORK/results.txt"
: >"$RESULTS"
PATTERNS=("randwrite 4k 16" "randread 4k 16" "randwrite 4k 1" "randread 4k 1" "write 1m 8" "read 1m 8")
if [[ -n "${ONLY:-}" ]]; then
  IFS=';' read -r -a PATTERNS <<<"$ONLY"
fi
for spec in "${PATTERNS[@]}"; do
  set -- $spec
  echo "Running $1 $2 qd$3 ($ROUNDS x ${DURATION}s per target) ..." >&2
  for round in $(seq 1 "$ROUNDS"); do
    for target in base e1 e3; do
      case "$target" in
        base) uri="$URI_BASE" ;;
        e1) uri="$URI_E1" ;;
        e3) uri="$URI_E3" ;;
      esac
      # Writes go through the page cache everywhere: do not let one run's write-back slow the next.
      sync
      echo "$1 $2 $3 $target $round $(measured_run "$target" "$uri" "$1" "$2" "$3" "$DURATION")" >>"$RESULTS"
    done
  done
done
kill "$SAMPLER" 2>/dev/null || true
for p in "${JFR_PIDS[@]}"; do
  "$JAVA_HOME/bin/jcmd" "${p%%:*}" JFR.stop name=bench filename="$JFR-${p##*:}.jfr" >/dev/null
  echo "JFR recording: $JFR-${p##*:}.jfr (bench/jfr-top.py reads it)" >&2
done

peak_mib() { python3 -c "print('%.0f' % ($(cat "$WORK/rss.$1" 2>/dev/null || echo 0) / 1024))"; }
E1_RSS="$(peak_mib "${ENGINE_PIDS[0]}")"
E3_RSS="$(peak_mib "${ENGINE_PIDS[1]}")"
REPLICA_RSS=0
for pid in "${REPLICA_PIDS[@]}"; do
  r="$(peak_mib "$pid")"
  if (( r > REPLICA_RSS )); then
    REPLICA_RSS="$r"
  fi
done

python3 - "$RESULTS" "$E1_RSS" "$E3_RSS" "$REPLICA_RSS" "$DURATION" "$ROUNDS" "$SIZE" "$TRANSPORT" <<'EOF'
import sys
from collections import defaultdict

path, e1_rss, e3_rss, replica_rss, duration, rounds, size, transport = sys.argv[1:]
runs = defaultdict(list)
order = []
for line in open(path):
    rw, bs, depth, target, _round, iops, mbps, mean, p99, cpu, cpu_replica = line.split()
    key = (rw, bs, depth)
    if key not in order:
        order.append(key)
    runs[key + (target,)].append(tuple(map(float, (iops, mbps, mean, p99, cpu, cpu_replica))))

def avg(key):
    rows = runs[key]
    return tuple(sum(col) / len(rows) for col in zip(*rows))

names = {"base": "nbdkit file", "e1": "engine, 1 replica", "e3": "engine, 3 replicas"}
print(f"fio --ioengine=nbd, {duration} s per run, {rounds} round(s), {size} volumes, loopback, engine to replicas over {transport}\n")
print("| pattern | target | IOPS | MB/s | mean us | p99 us | IOPS x | MB/s x | CPU us/req (nbdkit or engine) | CPU us/req (replicas together) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
ratios = {}
cpu = {}
for key in order:
    base = avg(key + ("base",))
    for target in ("base", "e1", "e3"):
        iops, mbps, mean, p99, c, cr = avg(key + (target,))
        ri, rm = iops / base[0], mbps / base[1]
        ratios[key + (target,)] = (ri, rm, mean - base[2], p99 - base[3])
        cpu[key + (target,)] = (c, cr)
        label = f"{key[0]} {key[1]} qd{key[2]}" if target == "base" else ""
        replica = f"{cr:.1f}" if target != "base" else ""
        print(f"| {label} | {names[target]} | {iops:.0f} | {mbps:.1f} | {mean:.1f} | {p99:.1f} | {ri:.2f} | {rm:.2f} | {c:.1f} | {replica} |")
print()
print(f"Peak RSS: engine with 1 replica {e1_rss} MiB, engine with 3 replicas {e3_rss} MiB, "
      f"largest replica {replica_rss} MiB")
print()

def check(ok, text):
    print(("- met:    " if ok else "- MISSED: ") + text)

for key in order:
    ri, rm, _, _ = ratios[key + ("e1",)]
    check(min(ri, rm) >= 0.8, f"1 replica >= 0.8x nbdkit on {key[0]} {key[1]} qd{key[2]}: {ri:.2f}x IOPS, {rm:.2f}x MB/s")
for key in order:
    goal = 0.8 if "read" in key[0] else 0.5
    ri, rm, _, _ = ratios[key + ("e3",)]
    check(min(ri, rm) >= goal, f"3 replicas >= {goal}x nbdkit on {key[0]} {key[1]} qd{key[2]}: {ri:.2f}x IOPS, {rm:.2f}x MB/s")
for rw, goal in (("randwrite", 60), ("randread", 30)):
    qd1 = (rw, "4k", "1", "e3")
    if qd1 in ratios:
        added = ratios[qd1][2]
        check(added <= goal, f"added mean 4 KiB {rw} latency at qd1 with 3 replicas <= {goal} us: {added:.1f} us")
for rw, goal in (("randread", 12), ("randwrite", 20)):
    key = (rw, "4k", "16", "e3")
    if key in cpu:
        check(cpu[key][0] <= goal, f"engine CPU per 4 KiB {rw} with 3 replicas at qd16 <= {goal} us: {cpu[key][0]:.1f} us")
        base = cpu[(rw, "4k", "16", "base")][0]
        # A write is served by each of the 3 replicas, a read by one.
        each = cpu[key][1] / 3 if rw == "randwrite" else cpu[key][1]
        check(each <= base, f"replica CPU per 4 KiB {rw} it serves <= nbdkit's ({base:.1f} us): {each:.1f} us")
check(max(int(e1_rss), int(e3_rss)) <= 200, f"engine RSS <= 200 MiB: {max(int(e1_rss), int(e3_rss))} MiB")
check(int(replica_rss) <= 150, f"replica RSS <= 150 MiB plus its index: {replica_rss} MiB")
EOF
