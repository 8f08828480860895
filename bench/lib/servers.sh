# Shared by the benchmarks that start servers by hand (source it).

# Waits up to 120 s for a "<what> ready: ..." line in a log while the process runs; prints the line.
wait_ready() { # log pid what
  local _
  for _ in $(seq 1 240); do
    if grep -q "^$3 ready:" "$1"; then
      grep -m1 "^$3 ready:" "$1"
      return 0
    fi
    kill -0 "$2" 2>/dev/null || break
    sleep 0.5
  done
  echo "$3 did not become ready:" >&2
  cat "$1" >&2
  exit 1
}

# A TCP port free on loopback right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Stops the processes in PIDS (and waits for them), then removes WORK: trap cleanup_servers EXIT
cleanup_servers() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
