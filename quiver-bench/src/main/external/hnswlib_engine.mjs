// hnswlib (C++, through the hnswlib-node binding) as a helper process of `quiver bench`
// (io.quiver.bench.peers.ExternalProcessEngine).
//
//     node hnswlib_engine.mjs SPACE M EF_CONSTRUCTION THREADS BASE.fvecs WORKDIR
//
// SPACE is l2 or ip (the harness normalises vectors itself for cosine). The line protocol on stdin/stdout is the one
// ExternalProcessEngine documents:
//
//     -> READY hnswlib-node <version>       (or MISSING <why> when hnswlib-node cannot be loaded, then exit)
//     -> NOTE <text>                        (shown to the user)
//     -> PROGRESS <done> <total>            (build progress)
//     -> BUILT <seconds> <ram bytes>        (seconds: the addPoint calls alone, monotonic clock)
//     <- QUERIES <query.fvecs>   -> OK <count>
//     <- SEARCH <ef> <k>         -> DONE <result file>
//     <- QUIT                    (exit)
//     -> ERROR <message>                    (any failure; the helper then exits)
//
// A SEARCH runs every loaded query once, one at a time, and times each with process.hrtime.bigint (monotonic) around
// the library's searchKnn call alone. The binding takes plain JS arrays, so queries are converted once, before any
// timing; what stays inside the timed call is the binding's own marshalling (reading the dim numbers out of the
// array, building the result arrays), which every hnswlib-node user pays, and which QUERIES measures and reports in a
// NOTE (searchKnn on a one-point index: about 100 us at 784 dimensions, 20 us at 128). The result file is little-endian: int32
// count, int32 k, count*k int32 ids (-1 where fewer than k came back), count int64 latencies in nanoseconds.
//
// Nothing else may be printed on stdout: it carries the protocol.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);

function send(line) {
  process.stdout.write(line + '\n');
}

function readFvecs(path) {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength === 0) return { dim: 0, rows: [] };
  const dim = view.getInt32(0, true);
  const stride = 4 + 4 * dim;
  const count = buf.byteLength / stride;
  const rows = new Array(count);
  for (let i = 0; i < count; i++) {
    const row = new Array(dim);
    const off = i * stride + 4;
    for (let j = 0; j < dim; j++) row[j] = view.getFloat32(off + 4 * j, true);
    rows[i] = row;
  }
  return { dim, rows };
}

// Bytes of hnswlib's vectors and graph, from its memory layout (hnswalg.h): per element a level-0 block of the vector,
// 2M neighbour ids, a count and the 8-byte label; a link-list pointer and a level; and M ids plus a count per upper
// level, of which an element has 1/(M-1) on average (levels are drawn with P(level >= l) = M^-l). The binding cannot
// tell the real level counts, and process RSS would mostly measure V8's heap, so this is the expected value.
function hnswlibBytes(n, dim, m) {
  const level0 = 4 * dim + 4 * 2 * m + 4 + 8;
  const upper = (4 * m + 4) / (m - 1);
  return Math.round(n * (level0 + 8 + 4 + upper));
}

// Nanoseconds a searchKnn call costs when the search itself is trivial (a one-point index): the binding's overhead,
// best of three passes over up to 1000 of the queries. Reported to the user, never subtracted.
function callOverheadNs(HierarchicalNSW, space, dim, queries) {
  const probe = new HierarchicalNSW(space, dim);
  probe.initIndex({ maxElements: 1, m: 16, efConstruction: 16, randomSeed: 100 });
  probe.addPoint(queries[0], 0);
  const reps = Math.min(queries.length, 1000);
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) probe.searchKnn(queries[i], 1);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / reps);
  }
  return best;
}

async function main(argv) {
  if (argv.length !== 6) {
    send('ERROR usage: hnswlib_engine.mjs SPACE M EF_CONSTRUCTION THREADS BASE.fvecs WORKDIR');
    return 2;
  }
  const [space, mText, efcText, threadsText, basePath, workdir] = argv;
  const m = Number(mText);
  const efConstruction = Number(efcText);
  let HierarchicalNSW;
  let version = '?';
  try {
    ({ HierarchicalNSW } = require('hnswlib-node'));
    version = require('hnswlib-node/package.json').version;
  } catch (e) {
    send(`MISSING node ${process.version} cannot load hnswlib-node: ${String(e.message).split('\n')[0]}`);
    return 3;
  }
  send(`READY hnswlib-node ${version}`);
  if (Number(threadsText) > 1) {
    send('NOTE builds on one thread: hnswlib-node has no parallel insert (addPoint is synchronous)');
  }

  // Read the base set one row at a time: the binding wants a plain JS array per point.
  const buf = readFileSync(basePath);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dim = buf.byteLength === 0 ? 0 : view.getInt32(0, true);
  const stride = 4 + 4 * dim;
  const n = dim === 0 ? 0 : buf.byteLength / stride;
  const index = new HierarchicalNSW(space, dim);
  index.initIndex({ maxElements: Math.max(1, n), m, efConstruction, randomSeed: 100 });
  const step = Math.max(1, Math.floor(n / 200));
  let buildNs = 0n;
  const row = new Array(dim);
  for (let i = 0; i < n; i++) {
    const off = i * stride + 4;
    for (let j = 0; j < dim; j++) row[j] = view.getFloat32(off + 4 * j, true);
    const t = process.hrtime.bigint();
    index.addPoint(row, i);
    buildNs += process.hrtime.bigint() - t;
    if ((i + 1) % step === 0 || i + 1 === n) send(`PROGRESS ${i + 1} ${n}`);
  }
  send(`BUILT ${(Number(buildNs) / 1e9).toFixed(6)} ${hnswlibBytes(n, dim, m)}`);

  let queries = null;
  let searches = 0;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const parts = line.trim().split(/\s+/);
    const cmd = parts[0];
    if (cmd === '') continue;
    if (cmd === 'QUIT') break;
    if (cmd === 'QUERIES') {
      const q = readFvecs(parts[1]);
      if (q.rows.length > 0 && q.dim !== dim) {
        send(`ERROR queries have ${q.dim} dimensions, the index ${dim}`);
        return 1;
      }
      queries = q.rows;
      if (queries.length > 0) {
        const us = (callOverheadNs(HierarchicalNSW, space, dim, queries) / 1000).toFixed(1);
        send(`NOTE searchKnn takes ${us} us a query on a one-point index of dimension ${dim}: the binding's per-call `
          + 'cost (copying the query out of a JS array), which every hnswlib-node latency here includes');
      }
      send(`OK ${queries.length}`);
    } else if (cmd === 'SEARCH') {
      if (queries === null) {
        send('ERROR SEARCH before QUERIES');
        return 1;
      }
      const ef = Number(parts[1]);
      const k = Number(parts[2]);
      const nq = queries.length;
      index.setEf(ef);
      const kk = Math.min(k, n);
      const out = Buffer.alloc(8 + 4 * nq * k + 8 * nq);
      out.writeInt32LE(nq, 0);
      out.writeInt32LE(k, 4);
      const ids = new Int32Array(nq * k).fill(-1);
      const latencies = new BigInt64Array(nq);
      for (let i = 0; i < nq; i++) {
        const q = queries[i];
        const t = process.hrtime.bigint();
        const r = index.searchKnn(q, kk);
        latencies[i] = process.hrtime.bigint() - t;
        const found = r.neighbors;
        for (let j = 0; j < found.length; j++) ids[i * k + j] = found[j];
      }
      for (let i = 0; i < ids.length; i++) out.writeInt32LE(ids[i], 8 + 4 * i);
      const latOff = 8 + 4 * ids.length;
      for (let i = 0; i < nq; i++) out.writeBigInt64LE(latencies[i], latOff + 8 * i);
      searches++;
      const path = join(workdir, `result-${searches}.bin`);
      writeFileSync(path, out);
      send(`DONE ${path}`);
    } else {
      send(`ERROR unknown command ${JSON.stringify(cmd)}`);
      return 1;
    }
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    send(`ERROR ${e && e.name}: ${e && e.message}`);
    process.exit(1);
  },
);
