#!/usr/bin/env bash
# Benchmark of the standalone manager (not a test):
#   1. attach latency: from POST ?action=attach to the NBD export serving a read, 3 replicas,
#      with real engine and replica processes (JVM mode), RUNS times;
#   2. API latency under CLIENTS concurrent clients: GET /v1/volumes (20 volumes) and
#      POST /v1/volumes (new detached volumes);
#   3. manager RSS: idle, with 20 volumes, and with ATTACHED of them attached.
#
#   bench/manager-bench.sh                       # defaults: RUNS=5 CLIENTS=50 ATTACHED=4
#   RUNS=3 CLIENTS=20 bench/manager-bench.sh
#
# Builds nothing: it expects the modules packaged (./mvnw -B install -DskipTests). Writes a
# Markdown summary to bench/out/manager-bench-<time>.md and prints it.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
RUNS="${RUNS:-5}"
CLIENTS="${CLIENTS:-50}"
ATTACHED="${ATTACHED:-4}"
BENCH_DIR="${BENCH_DIR:-/var/tmp}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

for m in manager engine replica backupstore; do
  [[ -f "$ROOT/longhorn-$m/target/quarkus-app/quarkus-run.jar" ]] || {
    echo "longhorn-$m is not built; run ./mvnw -B install -DskipTests first" >&2; exit 1; }
done
command -v qemu-io >/dev/null || { echo "qemu-io is needed (apt-get install qemu-utils)" >&2; exit 1; }

WORK="$(mktemp -d "$BENCH_DIR/manager-bench.XXXXXX")"
DATA="$WORK/data"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
API="http://127.0.0.1:$PORT"
MANAGER_PID=""

cleanup() {
  # Block devices of volumes left attached (frontend blockdev): the loop devices over the NBD mounts
  # under this run's data, their links and the mounts, while the mounts still answer (the killed
  # processes below would not tear them down).
  grep -F " $DATA/" /proc/mounts | cut -d' ' -f2 | while read -r m; do
    for f in "$m"/*; do
      losetup -j "$f" 2>/dev/null | cut -d: -f1 | while read -r loop; do
        for link in /dev/longhorn/*; do
          [[ -L "$link" && "$(readlink "$link")" == "$loop" ]] && rm -f "$link"
        done
        losetup -d "$loop" 2>/dev/null || true
      done
    done
    fusermount -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  if [[ -n "$MANAGER_PID" ]] && kill -0 "$MANAGER_PID" 2>/dev/null; then
    kill "$MANAGER_PID" 2>/dev/null || true
    wait "$MANAGER_PID" 2>/dev/null || true
  fi
  # Engines, replicas and the backup service outlive the manager on purpose: end them by their
  # records, and any replica still starting (not recorded yet) by its directory under this run's data.
  for f in "$DATA"/instances/*.json "$DATA"/services/*.json; do
    [[ -f "$f" ]] || continue
    pid="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$f")"
    kill -9 "$pid" 2>/dev/null || true
  done
  for cmd in /proc/[0-9]*/cmdline; do
    if tr '\0' ' ' < "$cmd" 2>/dev/null | grep -qF "$DATA/"; then
      pid="${cmd#/proc/}"; kill -9 "${pid%/cmdline}" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
api() { curl -sf -H 'content-type: application/json' -H "Authorization: Bearer $TOKEN" "$@"; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get(sys.argv[1], ""))' "$1"; }
wait_state() { # volume state
  for _ in $(seq 1 1200); do
    [[ "$(api "$API/v1/volumes/$1" | field state)" == "$2" ]] && return 0
    sleep 0.1
  done
  echo "volume $1 did not become $2" >&2; exit 1
}

# The API takes a token: the manager starts with a known admin token.
TOKEN="lh_bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
(umask 077 && printf '%s\n' "$TOKEN" > "$WORK/admin-token")
# bin/longhorn-manager execs the JVM, so $! is the manager's own pid (for its RSS).
"$ROOT/bin/longhorn-manager" --data-dir "$DATA" --listen "127.0.0.1:$PORT" --admin-token-file "$WORK/admin-token" \
    > "$WORK/manager.log" 2>&1 &
MANAGER_PID=$!
for _ in $(seq 1 600); do api "$API/v1" >/dev/null 2>&1 && break; sleep 0.1; done
sleep 5 # let the start-up settle (node status, settings, backup service)
RSS_IDLE="$(rss_mib "$MANAGER_PID")"

# 1. Attach latency.
api -X POST "$API/v1/volumes" -d '{"name":"bench-attach","size":"256Mi","numberOfReplicas":3}' >/dev/null
wait_state bench-attach detached
# One client process polls the API every 20 ms over one kept-alive connection and reads through
# qemu-io once the endpoint shows: a poll that started processes (curl, a JSON parser) each time
# would take CPU from the four JVMs the attach starts on the same cores.
ATTACH_MS=()
REPLICAS_MS=()
ENGINE_MS=()
LOADS=()
for i in $(seq 1 "$RUNS"); do
  LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
  read -r attach replicas engine < <(python3 - "$API" "$TOKEN" bench-attach <<'PY'
import http.client, json, subprocess, sys, time
api, token, name = sys.argv[1:4]
host, port = api.split("//")[1].split(":")
headers = {"Authorization": "Bearer " + token, "content-type": "application/json"}
conn = http.client.HTTPConnection(host, int(port), timeout=60)
def call(method, path, body=None):
    conn.request(method, path, body, headers)
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit(f"{method} {path}: HTTP {r.status} {data[:200]!r}")
    return json.loads(data)
t0 = time.monotonic()
call("POST", f"/v1/volumes/{name}?action=attach", "{}")
t_replicas = t_engine = None
while True:
    v = call("GET", f"/v1/volumes/{name}")
    now = time.monotonic() - t0
    reps = v.get("replicas") or []
    if t_replicas is None and reps and all(r.get("running") for r in reps):
        t_replicas = now
    ep = v.get("endpoint") or ""
    if ep:
        if t_engine is None:
            t_engine = now
        if subprocess.run(["qemu-io", "-f", "raw", "-c", "read 0 4k", ep],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            break
    if now > 120:
        sys.exit(f"volume {name} was not serving after 120 s")
    time.sleep(0.02)
ms = lambda t: int(t * 1000) if t is not None else ""
print(ms(time.monotonic() - t0), ms(t_replicas), ms(t_engine))
PY
  )
  [[ -n "$attach" ]] || { echo "attach run $i failed" >&2; exit 1; }
  ATTACH_MS+=("$attach")
  [[ -n "$replicas" ]] && REPLICAS_MS+=("$replicas")
  [[ -n "$engine" ]] && ENGINE_MS+=("$engine")
  api -X POST "$API/v1/volumes/bench-attach?action=detach" -d '{}' >/dev/null
  wait_state bench-attach detached
done

# 2. API latency under concurrency (and 3. RSS with 20 volumes).
for i in $(seq 1 19); do
  api -X POST "$API/v1/volumes" -d "{\"name\":\"bench-$i\",\"size\":\"64Mi\",\"numberOfReplicas\":3}" >/dev/null
done
for i in $(seq 1 19); do wait_state "bench-$i" detached; done
sleep 3
RSS_20="$(rss_mib "$MANAGER_PID")"

LOAD="$(python3 - "$API" "$CLIENTS" "$TOKEN" <<'PY'
import http.client, json, statistics, sys, threading, time
api, clients, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
auth = {"Authorization": "Bearer " + token}
host, port = api.split("//")[1].split(":")
def run(kind, per_client):
    lat, errors, lock = [], [0], threading.Lock()
    def worker(c):
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        for i in range(per_client):
            t = time.perf_counter()
            if kind == "list":
                conn.request("GET", "/v1/volumes", headers=auth)
            else:
                body = json.dumps({"name": f"load-{c}-{i}", "size": "16Mi", "numberOfReplicas": 1})
                conn.request("POST", "/v1/volumes", body, {"content-type": "application/json", **auth})
            r = conn.getresponse(); r.read()
            d = (time.perf_counter() - t) * 1000
            with lock:
                lat.append(d)
                if r.status != 200: errors[0] += 1
    threads = [threading.Thread(target=worker, args=(c,)) for c in range(clients)]
    t0 = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    wall = time.perf_counter() - t0
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
    return f"{kind}|{len(lat)}|{errors[0]}|{q(0.5):.1f}|{q(0.95):.1f}|{q(0.99):.1f}|{len(lat)/wall:.0f}"
print(run("list", 20))
print(run("create", 4))
PY
)"

# 3. RSS with volumes attached (their engines are polled every second).
api -X DELETE "$API/v1/volumes/bench-attach" >/dev/null || true
for i in $(seq 1 "$ATTACHED"); do api -X POST "$API/v1/volumes/bench-$i?action=attach" -d '{}' >/dev/null; done
for i in $(seq 1 "$ATTACHED"); do wait_state "bench-$i" attached; done
sleep 10
RSS_ATTACHED="$(rss_mib "$MANAGER_PID")"

stats() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { printf "median %d ms, min %d ms, max %d ms", a[int((NR + 1) / 2)], a[1], a[NR] }'; }
OUT="$ROOT/bench/out/manager-bench-$(date -u +%Y%m%dT%H%M%SZ).md"
mkdir -p "$ROOT/bench/out"
{
  echo "## Manager benchmark $(date -u +%Y-%m-%dT%H:%MZ) ($(nproc) cores, JVM mode)"
  echo
  echo "Attach to first NBD read, 3 replicas (real processes), $RUNS runs: $(stats "${ATTACH_MS[@]}") (${ATTACH_MS[*]})"
  echo
  echo "- of which all 3 replica processes running: $(stats "${REPLICAS_MS[@]}"); engine serving (endpoint shown): $(stats "${ENGINE_MS[@]}")"
  echo "- 1-minute load average at each attach: ${LOADS[*]} (other builds and tests share the machine)"
  echo
  echo "| API call, $CLIENTS clients | requests | errors | p50 ms | p95 ms | p99 ms | req/s |"
  echo "|---|---|---|---|---|---|---|"
  while IFS='|' read -r kind n err p50 p95 p99 rps; do
    label="GET /v1/volumes (20 volumes)"; [[ "$kind" == create ]] && label="POST /v1/volumes"
    echo "| $label | $n | $err | $p50 | $p95 | $p99 | $rps |"
  done <<< "$LOAD"
  echo
  echo "Manager RSS: idle ${RSS_IDLE} MiB; 20 volumes (detached) ${RSS_20} MiB; after the load test with $ATTACHED attached ${RSS_ATTACHED} MiB"
} | tee "$OUT"
