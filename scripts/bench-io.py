#!/usr/bin/python3
"""I/O probes for scripts/bench (the mount section); run with Debian's /usr/bin/python3.

  bench-io.py members LAYER.tar.gz                 regular files: name, payload offset, size (TSV)
  bench-io.py plan MEMBERS.tsv ROUNDS READS SEED   random 64 KiB reads, one per 8 MiB region of
                                                   the tar stream in a round: round, name,
                                                   offset in file, offset in tar (TSV)
  bench-io.py files ROOT PLAN ROUND [LIMIT]        open + pread 64 KiB + close under ROOT (no
                                                   readahead); prints ms and sha256 per read
  bench-io.py igzip LAYER.tar.gz PLAN ROUND        the same reads through python3-indexed-gzip
                                                   (2 MiB spacing, 64 KiB buffers, index built
                                                   first, in memory; its build time on stderr)
  bench-io.py seq FILE                             reads FILE with 1 MiB reads; prints MB/s
  bench-io.py pct FILE...                          p50 and p99 (ms) of the first column
"""
import hashlib
import os
import random
import sys
import tarfile
import time

LENGTH = 64 * 1024
REGION = 8 << 20


def members(layer):
    with tarfile.open(layer, "r|gz") as tar:
        try:
            for m in tar:
                if m.isreg() and m.size >= LENGTH:
                    print(f"{m.name}\t{m.offset_data}\t{m.size}")
        except tarfile.ReadError:
            pass  # Go's tar writer (umoci) ends the layer right after the last payload


def plan(members_tsv, rounds, reads, seed):
    files = []
    with open(members_tsv) as f:
        for line in f:
            name, off, size = line.rstrip("\n").split("\t")
            files.append((name, int(off), int(size)))
    weights = [size - LENGTH + 1 for _, _, size in files]
    rng = random.Random(seed)
    for rnd in range(rounds):
        used = set()
        picked = 0
        while picked < reads:
            name, off, size = rng.choices(files, weights)[0]
            in_file = rng.randrange(0, size - LENGTH + 1)
            region = (off + in_file) // REGION
            if region in used:
                continue
            used.add(region)
            picked += 1
            print(f"{rnd}\t{name}\t{in_file}\t{off + in_file}")


def plan_rows(plan_tsv, rnd, limit=None):
    rows = []
    with open(plan_tsv) as f:
        for line in f:
            r, name, in_file, in_tar = line.rstrip("\n").split("\t")
            if int(r) == rnd:
                rows.append((name, int(in_file), int(in_tar)))
    return rows[:limit] if limit else rows


def files(root, plan_tsv, rnd, limit=None):
    for name, in_file, _ in plan_rows(plan_tsv, rnd, limit):
        path = os.path.join(root, name.lstrip("./"))
        start = time.perf_counter()
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
            data = os.pread(fd, LENGTH, in_file)
        finally:
            os.close(fd)
        ms = (time.perf_counter() - start) * 1e3
        print(f"{ms:.3f}\t{hashlib.sha256(data).hexdigest()}\t{name}:{in_file}", flush=True)


def igzip(layer, plan_tsv, rnd):
    import indexed_gzip

    start = time.perf_counter()
    f = indexed_gzip.IndexedGzipFile(
        layer,
        spacing=2 << 20,
        readbuf_size=LENGTH,
        buffer_size=LENGTH,
        drop_handles=False,
    )
    f.build_full_index()
    seconds = time.perf_counter() - start
    try:
        points = sum(1 for _ in f.seek_points())
    except AttributeError:
        points = "?"
    print(f"{seconds:.3f}\t{points}", file=sys.stderr)
    for name, in_file, in_tar in plan_rows(plan_tsv, rnd):
        start = time.perf_counter()
        f.seek(in_tar)
        data = f.read(LENGTH)
        ms = (time.perf_counter() - start) * 1e3
        print(f"{ms:.3f}\t{hashlib.sha256(data).hexdigest()}\t{name}:{in_file}", flush=True)
    f.close()


def seq(path):
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    total = 0
    start = time.perf_counter()
    with open(path, "rb", buffering=0) as f:
        while True:
            n = f.readinto(view)
            if not n:
                break
            total += n
    seconds = time.perf_counter() - start
    print(f"{total / seconds / 1e6:.0f}")


def pct(paths):
    values = []
    for path in paths:
        with open(path) as f:
            values += [float(line.split("\t")[0]) for line in f if line.strip()]
    values.sort()

    def at(p):
        import math

        return values[min(len(values) - 1, max(0, math.ceil(p * len(values)) - 1))]

    print(f"{at(0.5):.2f} {at(0.99):.2f} {len(values)}")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "members":
        members(args[0])
    elif cmd == "plan":
        plan(args[0], int(args[1]), int(args[2]), int(args[3]))
    elif cmd == "files":
        files(args[0], args[1], int(args[2]), int(args[3]) if len(args) > 3 else None)
    elif cmd == "igzip":
        igzip(args[0], args[1], int(args[2]))
    elif cmd == "seq":
        seq(args[0])
    elif cmd == "pct":
        pct(args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
