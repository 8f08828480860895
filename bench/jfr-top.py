#!/usr/bin/env python3
"""Where a JFR recording's CPU samples fall: the top methods by self samples, and by samples that
have them on the stack (inclusive), among the threads whose names match a pattern.

    bench/jfr-top.py /tmp/e3-engine.jfr                 # every thread
    bench/jfr-top.py /tmp/e3-engine.jfr --threads nbd   # threads whose name contains "nbd"
    bench/jfr-top.py /tmp/e3-engine.jfr --top 40

Reads the recording with the JDK's `jfr print --json` ($JAVA_HOME/bin/jfr, else jfr on PATH)."""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys


def frames(event):
    for f in event["values"]["stackTrace"]["frames"] if event["values"].get("stackTrace") else []:
        m = f["method"]
        yield m["type"]["name"] + "." + m["name"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("recording")
    ap.add_argument("--threads", default="", help="only threads whose name contains this")
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    home = os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")
    jfr = os.path.join(home, "bin", "jfr") if os.path.exists(os.path.join(home, "bin", "jfr")) else shutil.which("jfr")
    if not jfr:
        sys.exit("jfr not found: set JAVA_HOME to a JDK")
    out = subprocess.run([jfr, "print", "--json", "--events", "jdk.ExecutionSample", a.recording],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    own = collections.Counter()
    inclusive = collections.Counter()
    threads = collections.Counter()
    n = 0
    for e in events:
        thread = (e["values"].get("sampledThread") or {}).get("javaName") or "?"
        if a.threads not in thread:
            continue
        stack = list(frames(e))
        if not stack:
            continue
        n += 1
        threads[thread.rstrip("0123456789-")] += 1
        own[stack[0]] += 1
        for f in set(stack):
            inclusive[f] += 1
    if n == 0:
        sys.exit("no samples" + (f" on threads matching {a.threads!r}" if a.threads else ""))
    print(f"{n} samples")
    print("\nthreads (digits dropped):")
    for t, c in threads.most_common(10):
        print(f"  {100 * c / n:5.1f}%  {t}")
    print("\nself:")
    for f, c in own.most_common(a.top):
        print(f"  {100 * c / n:5.1f}%  {f}")
    print("\ninclusive:")
    for f, c in inclusive.most_common(a.top):
        print(f"  {100 * c / n:5.1f}%  {f}")


if __name__ == "__main__":
    main()
