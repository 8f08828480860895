"""Random writes, write-zeroes and trims over an NBD export, keeping a model of what it must read.

Usage: python3 zero-trim-load.py URI STOP_FILE SEED

Reads the whole export into the model first and prints "ready", then keeps up to 16 requests in
flight until STOP_FILE exists. Requests in flight never overlap, so the model is exact whatever
order the server completes them in. Trims are aligned to 4 KiB blocks, and the
engine promises that a trimmed block reads as zeros, so the model zeroes them like write-zeroes.
At the end it flushes, reads everything back through the export, compares with the model and
prints "ops=N sha256=HEX" (the model's hash), or exits with 1 naming the first differing offset.
"""
import hashlib
import os
import random
import sys

import nbd

BLOCK = 4096
PIECE = 4 << 20

uri, stop, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(seed)
h = nbd.NBD()
h.connect_uri(uri)
size = h.get_size()
model = bytearray(size)
for off in range(0, size, PIECE):
    model[off:off + PIECE] = h.pread(min(PIECE, size - off), off)
print("ready", flush=True)

DEPTH = 16
inflight = {}  # cookie -> (offset, length)


def reap(block):
    while inflight:
        for cookie in list(inflight):
            if h.aio_command_completed(cookie):  # raises when the request failed
                del inflight[cookie]
        if not block or len(inflight) < DEPTH:
            return
        h.poll(-1)


def overlaps(off, n):
    return any(off < o + k and o < off + n for o, k in inflight.values())


ops = 0
while not os.path.exists(stop) or ops < 200:
    reap(True)
    kind = rnd.choice(("write", "zero", "zero", "trim", "trim"))
    blocks = rnd.randint(1, 16 if kind == "write" else 64)
    off = rnd.randrange(0, size // BLOCK - blocks + 1) * BLOCK
    n = blocks * BLOCK
    if overlaps(off, n):
        h.poll(0)
        continue
    if kind == "write":
        data = rnd.randbytes(n)
        cookie = h.aio_pwrite(nbd.Buffer.from_bytearray(bytearray(data)), off)
        model[off:off + n] = data
    elif kind == "zero":
        cookie = h.aio_zero(n, off)
        model[off:off + n] = bytes(n)
    else:
        cookie = h.aio_trim(n, off)
        model[off:off + n] = bytes(n)
    inflight[cookie] = (off, n)
    ops += 1
while inflight:
    h.poll(-1)
    reap(False)

h.flush()
for off in range(0, size, PIECE):
    got = h.pread(min(PIECE, size - off), off)
    if got != model[off:off + len(got)]:
        first = next(i for i in range(len(got)) if got[i] != model[off + i])
        print("differs from the model at offset %d" % (off + first), flush=True)
        sys.exit(1)
h.shutdown()
print("ops=%d sha256=%s" % (ops, hashlib.sha256(model).hexdigest()), flush=True)
