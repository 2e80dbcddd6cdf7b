#!/usr/bin/env python3
"""FAISS IndexHNSWFlat as a helper process of `quiver bench` (io.quiver.bench.peers.ExternalProcessEngine).

    faiss_engine.py SPACE M EF_CONSTRUCTION THREADS BASE.fvecs WORKDIR

SPACE is l2 or ip (the harness normalises vectors itself for cosine). The line protocol on stdin/stdout is the one
ExternalProcessEngine documents:

    -> READY faiss <version>              (or MISSING <why> when faiss cannot be imported, then exit)
    -> NOTE <text>                        (shown to the user)
    -> PROGRESS <done> <total>            (build progress)
    -> BUILT <seconds> <ram bytes>        (seconds: index construction alone, monotonic clock)
    <- QUERIES <query.fvecs>   -> OK <count>
    <- SEARCH <ef> <k>         -> DONE <result file>
    <- QUIT                    (exit)
    -> ERROR <message>                    (any failure; the helper then exits)

A SEARCH runs every loaded query once, one at a time on one thread, and times each with time.perf_counter_ns (a
monotonic clock) around the library's search call alone (IndexHNSWFlat.search_c, the C++ search, on buffers made
before the loop). What stays inside is FAISS's per-call cost (the SWIG call, an OpenMP region, a visited table of
ntotal bytes), which every single-query FAISS user pays; QUERIES measures it on a one-point index and reports it in a
NOTE. The result file is little-endian: int32 count, int32 k, count*k int32 ids (-1 where fewer than k
came back), count int64 latencies in nanoseconds.

Nothing else may be printed on stdout: it carries the protocol.
"""
import os
import sys
import time


def send(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def read_fvecs(np, path):
    raw = np.fromfile(path, dtype="<i4")
    if raw.size == 0:
        return np.zeros((0, 0), dtype=np.float32)
    dim = int(raw[0])
    rows = raw.reshape(-1, dim + 1)
    return np.ascontiguousarray(rows[:, 1:].view("<f4"), dtype=np.float32)


def call_overhead_ns(np, faiss, metric, dim, queries, query_ptrs):
    """Nanoseconds a search_c call costs when the search itself is trivial (a one-point index), best of three passes
    over up to 1000 of the queries. Reported to the user, never subtracted."""
    probe = faiss.IndexHNSWFlat(dim, 16, metric)
    probe.add(queries[:1])
    distances = np.empty(1, dtype=np.float32)
    labels = np.empty(1, dtype=np.int64)
    d_ptr, l_ptr = faiss.swig_ptr(distances), faiss.swig_ptr(labels)
    reps = min(len(query_ptrs), 1000)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter_ns()
        for i in range(reps):
            probe.search_c(1, query_ptrs[i], 1, d_ptr, l_ptr)
        best = min(best, (time.perf_counter_ns() - t) / reps)
    return best


def main(argv):
    if len(argv) != 7:
        send("ERROR usage: faiss_engine.py SPACE M EF_CONSTRUCTION THREADS BASE.fvecs WORKDIR")
        return 2
    space, m, ef_construction, threads, base_path, workdir = argv[1], int(argv[2]), int(argv[3]), int(argv[4]), \
        argv[5], argv[6]
    try:
        import numpy as np
        import faiss
    except ImportError as e:
        send("MISSING %s cannot import faiss: %s" % (sys.executable, e))
        return 3
    send("READY faiss %s" % getattr(faiss, "__version__", "?"))

    base = read_fvecs(np, base_path)
    n, dim = base.shape
    metric = {"l2": faiss.METRIC_L2, "ip": faiss.METRIC_INNER_PRODUCT}[space]
    index = faiss.IndexHNSWFlat(dim, m, metric)  # level 0 keeps 2*M neighbours, upper levels M, as hnswlib
    index.hnsw.efConstruction = ef_construction
    faiss.omp_set_num_threads(max(1, threads))
    send("PROGRESS 0 %d" % n)
    start = time.perf_counter_ns()
    index.add(base)  # one call, as a FAISS user would; FAISS cannot report progress from inside it
    build_ns = time.perf_counter_ns() - start
    send("PROGRESS %d %d" % (n, n))
    hnsw = index.hnsw
    ram = n * dim * 4 + hnsw.neighbors.size() * 4 + hnsw.offsets.size() * 8 + hnsw.levels.size() * 4
    del base
    send("BUILT %.6f %d" % (build_ns / 1e9, ram))

    faiss.omp_set_num_threads(1)  # searches are single-threaded, like every engine in the harness
    swig_ptr = faiss.swig_ptr
    clock = time.perf_counter_ns
    queries = None
    query_ptrs = []
    searches = 0
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        cmd = parts[0]
        if cmd == "QUIT":
            break
        if cmd == "QUERIES":
            queries = read_fvecs(np, parts[1])
            if queries.shape[0] and queries.shape[1] != dim:
                send("ERROR queries have %d dimensions, the index %d" % (queries.shape[1], dim))
                return 1
            query_ptrs = [swig_ptr(queries[i]) for i in range(queries.shape[0])]
            if query_ptrs:
                send("NOTE search_c takes %.1f us a query on a one-point index of dimension %d: the per-call cost "
                     "(SWIG call, OpenMP region, visited table), which every faiss-hnsw latency here includes"
                     % (call_overhead_ns(np, faiss, metric, dim, queries, query_ptrs) / 1000, dim))
            send("OK %d" % queries.shape[0])
        elif cmd == "SEARCH":
            if queries is None:
                send("ERROR SEARCH before QUERIES")
                return 1
            ef, k = int(parts[1]), int(parts[2])
            nq = len(query_ptrs)
            hnsw.efSearch = ef
            distances = np.empty((nq, k), dtype=np.float32)
            labels = np.full((nq, k), -1, dtype=np.int64)
            d_ptrs = [swig_ptr(distances[i]) for i in range(nq)]
            l_ptrs = [swig_ptr(labels[i]) for i in range(nq)]
            latencies = [0] * nq
            search_c = index.search_c
            for i in range(nq):
                t = clock()
                search_c(1, query_ptrs[i], k, d_ptrs[i], l_ptrs[i])
                latencies[i] = clock() - t
            searches += 1
            out = os.path.join(workdir, "result-%d.bin" % searches)
            with open(out, "wb") as f:
                f.write(np.array([nq, k], dtype="<i4").tobytes())
                f.write(labels.astype("<i4").tobytes())
                f.write(np.array(latencies, dtype="<i8").tobytes())
            send("DONE %s" % out)
        else:
            send("ERROR unknown command %r" % cmd)
            return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:  # report, so the harness can show why
        send("ERROR %s: %s" % (type(e).__name__, e))
        sys.exit(1)
