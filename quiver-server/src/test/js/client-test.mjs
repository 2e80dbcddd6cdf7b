// Drives a running Quiver server with the official Qdrant JS REST client (@qdrant/js-client-rest).
// Usage: node client-test.mjs http://127.0.0.1:<port> [<auth-server-url> <api-key> <read-only-api-key>]
// The optional second server requires API keys; the auth steps run against it.
// Prints one line per passed step; exits non-zero on the first failure.
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';
// The last client release with search()/searchBatch(), which call the older /points/search endpoints.
import { QdrantClient as QdrantClient112 } from 'qdrant-js-client-1.12';

const url = process.argv[2];
if (!url) {
  console.error('usage: node client-test.mjs <server-url>');
  process.exit(2);
}

// The client must not complain about versions: capture its console.warn calls.
const warnings = [];
const originalWarn = console.warn;
console.warn = (...args) => {
  warnings.push(args.join(' '));
  originalWarn(...args);
};

const client = new QdrantClient({ url, checkCompatibility: true });
const name = 'js_client_docs';
let passed = 0;

async function step(title, fn) {
  try {
    await fn();
  } catch (e) {
    console.error(`FAIL ${title}: ${e?.stack ?? e}`);
    if (e?.data !== undefined) console.error(`  response data: ${JSON.stringify(e.data)}`);
    process.exit(1);
  }
  passed++;
  console.log(`ok ${passed} - ${title}`);
}

async function expectStatus(promise, status) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected the client to throw with status ${status}`);
  assert.equal(error.status, status, `expected status ${status}, got ${error.status}: ${error.message}`);
  return error;
}

const points = [
  { id: 1, vector: [1, 0, 0, 0], payload: { city: 'Berlin', kind: 'a', n: 1 } },
  { id: 2, vector: [0, 1, 0, 0], payload: { city: 'London', kind: 'b', n: 2 } },
  { id: 3, vector: [0, 0, 1, 0], payload: { city: 'Berlin', kind: 'b', n: 3 } },
  { id: 4, vector: [0, 0, 0, 1], payload: { city: 'Paris', kind: 'a', n: 4 } },
  { id: 5, vector: [1, 1, 0, 0], payload: { city: 'Paris', kind: 'b', n: 5 } },
];

await step('version check: server version compatible, no warnings', async () => {
  const info = await client.versionInfo();
  assert.equal(info.version, '1.19.0');
  // the constructor's compatibility check runs asynchronously; give it a moment
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(warnings, []);
});

await step('collectionExists is false before creation', async () => {
  const r = await client.collectionExists(name);
  assert.equal(r.exists, false);
});

await step('createCollection (single vector, Cosine)', async () => {
  const r = await client.createCollection(name, { vectors: { size: 4, distance: 'Cosine' } });
  assert.equal(r, true);
});

await step('createCollection again -> 409', async () => {
  const e = await expectStatus(client.createCollection(name, { vectors: { size: 4, distance: 'Cosine' } }), 409);
  assert.match(JSON.stringify(e.data), /already exists/);
});

await step('createCollection accepts 1.19 fields (payload storage, metadata, memory)', async () => {
  const other = `${name}_extra`;
  assert.equal(await client.createCollection(other, {
    vectors: { size: 2, distance: 'Euclid', on_disk: false, hnsw_config: { m: 8 } },
    hnsw_config: { m: 16, ef_construct: 64 },
    on_disk_payload: true,
    optimizers_config: { indexing_threshold: 20000 },
    payload: {},
    metadata: { owner: 'js-client-test' },
    shard_number: 1,
    replication_factor: 1,
    write_consistency_factor: 1,
  }), true);
  assert.equal(await client.deleteCollection(other), true);
});

await step('collectionExists is true after creation', async () => {
  const r = await client.collectionExists(name);
  assert.equal(r.exists, true);
});

await step('getCollection reports config', async () => {
  const info = await client.getCollection(name);
  assert.equal(info.status, 'green');
  assert.equal(info.config.params.vectors.size, 4);
  assert.equal(info.config.params.vectors.distance, 'Cosine');
});

await step('getCollections lists it', async () => {
  const r = await client.getCollections();
  assert.ok(r.collections.some((c) => c.name === name));
});

await step('upsert points with payloads (wait true)', async () => {
  const r = await client.upsert(name, { wait: true, points });
  assert.equal(r.status, 'completed');
  assert.equal(typeof r.operation_id, 'number');
});

await step('upsert update_mode insert_only / update_only', async () => {
  await client.upsert(name, { wait: true, update_mode: 'insert_only', points: [
    { id: 1, vector: [0, 0, 0, 1], payload: { city: 'Nowhere' } },
  ] });
  await client.upsert(name, { wait: true, update_mode: 'update_only', points: [
    { id: 99, vector: [0, 0, 0, 1], payload: { city: 'Nowhere' } },
  ] });
  assert.equal((await client.retrieve(name, { ids: [1] }))[0].payload.city, 'Berlin');
  assert.equal((await client.retrieve(name, { ids: [99] })).length, 0);
});

await step('retrieve by ids', async () => {
  const r = await client.retrieve(name, { ids: [1, 3], with_payload: true, with_vector: true });
  assert.equal(r.length, 2);
  const byId = Object.fromEntries(r.map((p) => [p.id, p]));
  assert.equal(byId[1].payload.city, 'Berlin');
  assert.equal(byId[3].payload.n, 3);
  assert.equal(byId[1].vector.length, 4);
});

await step('query with a must-match filter', async () => {
  const r = await client.query(name, {
    query: [1, 0, 0.1, 0],
    filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] },
    limit: 10,
    with_payload: true,
  });
  assert.ok(Array.isArray(r.points));
  assert.deepEqual(r.points.map((p) => p.id), [1, 3]);
  assert.ok(r.points.every((p) => p.payload.city === 'Berlin'));
  assert.ok(r.points[0].score > r.points[1].score);
});

// Qdrant 1.19 dropped POST /points/search from its API and the 1.19 client has no search();
// nearest-neighbour search is query() with a plain vector (and queryBatch() for several).
await step('search nearest neighbours (query with a plain vector)', async () => {
  assert.equal(typeof client.search, 'undefined');
  const r = await client.query(name, { query: [0, 1, 0, 0], limit: 2, with_payload: true });
  assert.equal(r.points.length, 2);
  assert.equal(r.points[0].id, 2);
  assert.ok(Math.abs(r.points[0].score - 1) < 1e-5);
  assert.equal(r.points[1].id, 5);
  assert.equal(r.points[0].payload.city, 'London');
});

await step('queryBatch', async () => {
  const r = await client.queryBatch(name, {
    searches: [
      { query: [0, 0, 1, 0], limit: 1 },
      { query: [0, 0, 0, 1], limit: 1, filter: { must: [{ key: 'kind', match: { value: 'a' } }] } },
    ],
  });
  assert.equal(r.length, 2);
  assert.equal(r[0].points[0].id, 3);
  assert.equal(r[1].points[0].id, 4);
});

await step('scroll pages with limit and next_page_offset', async () => {
  const seen = [];
  let offset;
  let pages = 0;
  do {
    const page = await client.scroll(name, { limit: 2, offset, with_payload: false, with_vector: false });
    pages++;
    assert.ok(page.points.length <= 2);
    seen.push(...page.points.map((p) => p.id));
    offset = page.next_page_offset ?? undefined;
    assert.ok(pages <= 5, 'too many pages');
  } while (offset !== undefined);
  assert.equal(pages, 3);
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
});

await step('count (exact), with and without filter', async () => {
  assert.equal((await client.count(name, { exact: true })).count, 5);
  const r = await client.count(name, {
    exact: true,
    filter: { must: [{ key: 'kind', match: { value: 'b' } }] },
  });
  assert.equal(r.count, 3);
});

await step('probes and getPoint through the raw API', async () => {
  const api = client.api();
  for (const probe of ['healthz', 'livez', 'readyz']) {
    const r = await api[probe]({});
    assert.equal(r.status, 200, probe);
  }
  const one = await api.getPoint({ collection_name: name, id: 3 });
  assert.equal(one.data.result.payload.n, 3);
  await expectStatus(api.getPoint({ collection_name: name, id: 12345 }), 404);
});

await step('query by point id, score_threshold, offset, with_vector, params', async () => {
  const byId = await client.query(name, { query: 1, limit: 4, with_payload: true });
  assert.ok(byId.points.length > 0);
  assert.ok(byId.points.every((p) => p.id !== 1), 'the query point is not its own neighbour');
  const all = await client.query(name, { query: [1, 0, 0, 0], limit: 5, params: { exact: true } });
  const paged = await client.query(name, { query: [1, 0, 0, 0], limit: 2, offset: 1, params: { hnsw_ef: 64 },
    with_vector: true });
  assert.deepEqual(paged.points.map((p) => p.id), all.points.slice(1, 3).map((p) => p.id));
  assert.equal(paged.points[0].vector.length, 4);
  const close = await client.query(name, { query: [1, 0, 0, 0], score_threshold: 0.9, limit: 5 });
  assert.deepEqual(close.points.map((p) => p.id), [1]);
});

await step('upsert batch form, updateVectors, overwritePayload', async () => {
  await client.upsert(name, { wait: true, batch: { ids: [6, 7], vectors: [[1, 0, 1, 0], [0, 1, 0, 1]],
    payloads: [{ city: 'Rome', n: 6 }, { city: 'Oslo', n: 7 }] } });
  await client.updateVectors(name, { wait: true, points: [{ id: 6, vector: [0, 0, 1, 1] }] });
  await client.overwritePayload(name, { wait: true, payload: { only: true }, points: [7] });
  const r = await client.retrieve(name, { ids: [6, 7], with_vector: true });
  const byId = Object.fromEntries(r.map((p) => [p.id, p]));
  assert.ok(Math.abs(byId[6].vector[0]) < 1e-6 && byId[6].vector[2] > 0.7, 'vector replaced (normalized)');
  assert.equal(byId[6].payload.city, 'Rome');
  assert.deepEqual(byId[7].payload, { only: true });
  await client.delete(name, { wait: true, points: [6, 7] });
});

await step('aliases: create, list, query through, rename, delete', async () => {
  await client.updateCollectionAliases({ actions: [{ create_alias: { collection_name: name, alias_name: 'js_alias' } }] });
  assert.deepEqual((await client.getCollectionAliases(name)).aliases,
    [{ alias_name: 'js_alias', collection_name: name }]);
  assert.ok((await client.getAliases()).aliases.some((a) => a.alias_name === 'js_alias'));
  assert.equal((await client.count('js_alias', { exact: true })).count, 5);
  await client.updateCollectionAliases({ actions: [
    { rename_alias: { old_alias_name: 'js_alias', new_alias_name: 'js_alias2' } }] });
  assert.equal((await client.query('js_alias2', { query: [0, 1, 0, 0], limit: 1 })).points[0].id, 2);
  await client.updateCollectionAliases({ actions: [{ delete_alias: { alias_name: 'js_alias2' } }] });
  assert.deepEqual((await client.getCollectionAliases(name)).aliases, []);
  await expectStatus(client.count('js_alias2', {}), 404);
});

await step('updateCollection stores optimizer and quantization settings; params changes -> 400', async () => {
  assert.equal(await client.updateCollection(name, { optimizers_config: { indexing_threshold: 5000 } }), true);
  assert.equal((await client.getCollection(name)).config.optimizer_config.indexing_threshold, 5000);
  await expectStatus(client.updateCollection(name, { params: { replication_factor: 3 } }), 400);
});

await step('named vectors: create, upsert, query using, wrong name -> 400', async () => {
  const named = `${name}_named`;
  await client.createCollection(named, { vectors: { text: { size: 2, distance: 'Dot' },
    image: { size: 3, distance: 'Euclid' } } });
  await client.upsert(named, { wait: true, points: [
    { id: 1, vector: { text: [1, 0], image: [0, 0, 0] } },
    { id: 2, vector: { text: [0, 1], image: [5, 5, 5] } }] });
  assert.equal((await client.query(named, { query: [0, 1], using: 'text', limit: 1 })).points[0].id, 2);
  assert.equal((await client.query(named, { query: [0, 0, 1], using: 'image', limit: 1 })).points[0].id, 1);
  await expectStatus(client.query(named, { query: [0, 1], using: 'audio', limit: 1 }), 400);
  assert.equal(await client.deleteCollection(named), true);
});

await step('older client (1.12): search and searchBatch on /points/search', async () => {
  const old = new QdrantClient112({ url, checkCompatibility: false });
  const hits = await old.search(name, { vector: [0, 0, 1, 0], limit: 2, with_payload: true,
    filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] } });
  assert.equal(hits[0].id, 3);
  assert.ok(hits.every((h) => h.payload.city === 'Berlin'));
  const batch = await old.searchBatch(name, { searches: [{ vector: [1, 0, 0, 0], limit: 1 },
    { vector: [0, 1, 0, 0], limit: 1 }] });
  assert.deepEqual(batch.map((r) => r[0].id), [1, 2]);
});

await step('createPayloadIndex (keyword)', async () => {
  const r = await client.createPayloadIndex(name, { field_name: 'city', field_schema: 'keyword', wait: true });
  assert.equal(r.status, 'completed');
  const info = await client.getCollection(name);
  assert.equal(info.payload_schema.city.data_type, 'keyword');
});

await step('setPayload merges keys', async () => {
  const r = await client.setPayload(name, { payload: { tag: 'x', n: 10 }, points: [1], wait: true });
  assert.equal(r.status, 'completed');
  const [p] = await client.retrieve(name, { ids: [1] });
  assert.deepEqual(p.payload, { city: 'Berlin', kind: 'a', n: 10, tag: 'x' });
});

await step('setPayload by filter', async () => {
  await client.setPayload(name, {
    payload: { flagged: true },
    filter: { must: [{ key: 'city', match: { value: 'Paris' } }] },
    wait: true,
  });
  const r = await client.count(name, { exact: true, filter: { must: [{ key: 'flagged', match: { value: true } }] } });
  assert.equal(r.count, 2);
});

await step('wait false -> acknowledged', async () => {
  const r = await client.setPayload(name, { payload: { seen: true }, points: [4], wait: false });
  assert.equal(r.status, 'acknowledged');
  await client.deletePayload(name, { keys: ['seen'], points: [4], wait: true });
});

await step('deletePayload removes keys', async () => {
  await client.deletePayload(name, { keys: ['tag', 'n'], points: [1], wait: true });
  const [p] = await client.retrieve(name, { ids: [1] });
  assert.deepEqual(p.payload, { city: 'Berlin', kind: 'a' });
});

await step('clearPayload empties payloads', async () => {
  await client.clearPayload(name, { points: [2], wait: true });
  const [p] = await client.retrieve(name, { ids: [2] });
  assert.deepEqual(p.payload ?? {}, {});
});

await step('batchUpdate applies operations in order', async () => {
  const r = await client.batchUpdate(name, {
    wait: true,
    operations: [
      { upsert: { points: [{ id: 7, vector: [1, 0, 1, 0], payload: { city: 'Rome' } }] } },
      { set_payload: { payload: { tag: 'batch' }, points: [7] } },
      { overwrite_payload: { payload: { city: 'Milan' }, points: [7] } },
      { delete_payload: { keys: ['city'], points: [7] } },
      { update_vectors: { points: [{ id: 7, vector: [0, 1, 0, 1] }] } },
    ],
  });
  assert.equal(r.length, 5);
  assert.ok(r.every((u) => u.status === 'completed'));
  const [p] = await client.retrieve(name, { ids: [7], with_vector: true });
  assert.deepEqual(p.payload, {});
  assert.ok(Math.abs(p.vector[1] - Math.SQRT1_2) < 1e-5, `cosine vectors are normalised: ${p.vector}`);
  const d = await client.batchUpdate(name, { wait: true, operations: [{ delete: { points: [7] } }] });
  assert.equal(d.length, 1);
  assert.equal((await client.retrieve(name, { ids: [7] })).length, 0);
});

await step('filter on the indexed field, then deletePayloadIndex', async () => {
  const f = { must: [{ key: 'city', match: { any: ['Berlin', 'London'] } }] };
  const before = (await client.count(name, { filter: f, exact: true })).count;
  const r = await client.deletePayloadIndex(name, 'city', { wait: true });
  assert.equal(r.status, 'completed');
  assert.equal((await client.getCollection(name)).payload_schema.city, undefined);
  assert.equal((await client.count(name, { filter: f, exact: true })).count, before);
});

await step('delete by ids', async () => {
  const r = await client.delete(name, { points: [1], wait: true });
  assert.equal(r.status, 'completed');
  assert.equal((await client.retrieve(name, { ids: [1] })).length, 0);
  assert.equal((await client.count(name, { exact: true })).count, 4);
});

await step('delete by filter', async () => {
  await client.delete(name, { filter: { must: [{ key: 'city', match: { value: 'Paris' } }] }, wait: true });
  assert.equal((await client.count(name, { exact: true })).count, 2);
  const left = await client.scroll(name, { limit: 10 });
  assert.deepEqual(left.points.map((p) => p.id).sort(), [2, 3]);
});

await step('createSnapshot / listSnapshots (sha256 checksum)', async () => {
  const snap = await client.createSnapshot(name, { wait: true });
  assert.match(snap.name, /^js_client_docs-.*\.snapshot$/);
  assert.match(snap.checksum, /^[0-9a-f]{64}$/);
  assert.ok(snap.size > 0);
  const list = await client.listSnapshots(name);
  assert.deepEqual(list.map((s) => s.name), [snap.name]);
  globalThis.jsSnapshot = snap;
});

await step('recoverSnapshot from the server URL into a new collection, bad location -> 400', async () => {
  const snap = globalThis.jsSnapshot;
  const restored = `${name}_restored`;
  const ok = await client.recoverSnapshot(restored, {
    location: `${url}/collections/${name}/snapshots/${snap.name}`,
    priority: 'snapshot',
    checksum: snap.checksum,
  });
  assert.equal(ok, true);
  const a = await client.scroll(name, { limit: 10, with_vector: true });
  const b = await client.scroll(restored, { limit: 10, with_vector: true });
  assert.deepEqual(b.points, a.points);
  await expectStatus(client.recoverSnapshot(restored, { location: 'file:///etc/passwd' }), 400);
  await expectStatus(client.recoverSnapshot(restored, {
    location: `${url}/collections/${name}/snapshots/${snap.name}`, checksum: '0'.repeat(64),
  }), 400);
  assert.equal(await client.deleteCollection(restored), true);
});

await step('deleteSnapshot', async () => {
  assert.equal(await client.deleteSnapshot(name, globalThis.jsSnapshot.name), true);
  assert.deepEqual(await client.listSnapshots(name), []);
  await expectStatus(client.deleteSnapshot(name, globalThis.jsSnapshot.name), 404);
});

await step('query with prefetch + fusion rrf (Qdrant RRF, k = 2)', async () => {
  const hybrid = `${name}_hybrid`;
  await client.createCollection(hybrid, {
    vectors: { dense: { size: 2, distance: 'Dot' }, other: { size: 2, distance: 'Euclid' } },
  });
  await client.upsert(hybrid, {
    wait: true,
    points: [1, 2, 3, 4, 5].map((i) => ({ id: i, vector: { dense: [i, 1], other: [6 - i, 0] }, payload: { i } })),
  });
  // dense ranks 5,4,3 (limit 3); other (distance to [0, 0]) ranks 5,4 (limit 2)
  const r = await client.query(hybrid, {
    prefetch: [
      { query: [1, 0], using: 'dense', limit: 3 },
      { query: [0, 0], using: 'other', limit: 2 },
    ],
    query: { fusion: 'rrf' },
    limit: 10,
    with_payload: true,
  });
  assert.deepEqual(r.points.map((p) => p.id), [5, 4, 3]);
  const expected = [1 / 2 + 1 / 2, 1 / 3 + 1 / 3, 1 / 4];
  r.points.forEach((p, i) => assert.ok(Math.abs(p.score - expected[i]) < 1e-6, `score ${p.score}`));
  assert.equal(r.points[0].payload.i, 5);
  const k60 = await client.query(hybrid, {
    prefetch: { query: [1, 0], using: 'dense', limit: 3 },
    query: { rrf: { k: 60 } },
    limit: 1,
  });
  assert.ok(Math.abs(k60.points[0].score - 1 / 60) < 1e-6);
  assert.equal(await client.deleteCollection(hybrid), true);
});

await step('sparse vectors: create, createVectorName, upsert, query, prefetch + fusion, with_vector, 400s', async () => {
  const sparse = `${name}_sparse`;
  assert.equal(await client.createCollection(sparse, {
    vectors: { dense: { size: 2, distance: 'Dot' } },
    sparse_vectors: { text: { modifier: 'idf', index: { on_disk: false, full_scan_threshold: 1000 } } },
  }), true);
  const info = await client.getCollection(sparse);
  assert.equal(info.config.params.sparse_vectors.text.modifier, 'idf');
  assert.equal(info.config.params.sparse_vectors.text.index.full_scan_threshold, 1000);
  await client.createVectorName(sparse, 'extra', { sparse: { modifier: 'none' } });
  assert.ok((await client.getCollection(sparse)).config.params.sparse_vectors.extra);
  await client.upsert(sparse, { wait: true, points: [
    { id: 1, vector: { dense: [1, 0], text: { indices: [7, 4294967295], values: [2, 1] } }, payload: { g: 'a' } },
    { id: 2, vector: { dense: [0, 1], text: { indices: [7], values: [0.5] } }, payload: { g: 'b' } },
    { id: 3, vector: { dense: [1, 1], extra: { indices: [1], values: [3] } }, payload: { g: 'a' } },
  ] });
  await client.upsert(sparse, { wait: true, batch: { ids: [4, 5], vectors: {
    dense: [[0.5, 0.5], [0.2, 0.1]],
    text: [{ indices: [9, 7], values: [1, 1] }, { indices: [9], values: [4] }],
  }, payloads: [{ g: 'b' }, { g: 'a' }] } });
  // idf of index 7 over the 4 points with `text`, 3 of which have it: ln(1 + 1.5 / 3.5)
  const r = await client.query(sparse, { query: { indices: [7], values: [1] }, using: 'text', with_vector: ['text'] });
  assert.deepEqual(r.points.map((p) => p.id), [1, 4, 2]);
  assert.ok(Math.abs(r.points[0].score - 2 * Math.log(1 + 1.5 / 3.5)) < 1e-5, `score ${r.points[0].score}`);
  assert.deepEqual(r.points[0].vector.text, { indices: [7, 4294967295], values: [2, 1] });
  const filtered = await client.query(sparse, { query: { nearest: { indices: [7, 9], values: [1, 1] } }, using: 'text',
    filter: { must: [{ key: 'g', match: { value: 'a' } }] } });
  assert.deepEqual(filtered.points.map((p) => p.id), [5, 1]);
  const fused = await client.query(sparse, {
    prefetch: [
      { query: [1, 0], using: 'dense', limit: 2 },
      { query: { indices: [9], values: [1] }, using: 'text', limit: 2 },
    ],
    query: { fusion: 'rrf' },
    limit: 10,
    with_vector: true,
  });
  // dense ranks 1,3 (tie broken by id); sparse ranks 5,4: each first gets 1/2, each second 1/3
  [1 / 2, 1 / 2, 1 / 3, 1 / 3].forEach((x, i) => assert.ok(Math.abs(fused.points[i].score - x) < 1e-6));
  assert.deepEqual(new Set(fused.points.map((p) => p.id)), new Set([1, 3, 4, 5]));
  const five = fused.points.find((p) => p.id === 5);
  assert.deepEqual(five.vector.text, { indices: [9], values: [4] });
  assert.deepEqual(five.vector.dense.length, 2);
  const dbsf = await client.query(sparse, {
    prefetch: [
      { query: [1, 0], using: 'dense', limit: 3 },
      { query: { indices: [9], values: [1] }, using: 'text', limit: 3 },
    ],
    query: { fusion: 'dbsf' },
    limit: 2,
  });
  assert.equal(dbsf.points.length, 2);
  const scrolled = await client.scroll(sparse, { with_vector: true, limit: 10 });
  assert.deepEqual(scrolled.points[2].vector.extra, { indices: [1], values: [3] });
  const got = await client.retrieve(sparse, { ids: [2], with_vector: ['text'] });
  assert.deepEqual(got[0].vector, { text: { indices: [7], values: [0.5] } });
  await client.setPayload(sparse, { wait: true, points: [2], payload: { x: 1 } });
  assert.deepEqual((await client.retrieve(sparse, { ids: [2], with_vector: true }))[0].vector.text,
    { indices: [7], values: [0.5] });
  const bad = [
    { indices: [1, 1], values: [1, 2] },
    { indices: [1, 2], values: [1] },
    { indices: [-1], values: [1] },
  ];
  for (const v of bad) {
    const e = await expectStatus(client.upsert(sparse, { wait: true, points: [{ id: 9, vector: { text: v } }] }), 400);
    assert.match(e.data?.status?.error ?? '', /points\[0\]\.vector\.text/);
  }
  await expectStatus(client.upsert(sparse, { wait: true, points: [{ id: 9, vector: { text: [1, 2] } }] }), 400);
  await expectStatus(client.upsert(sparse, { wait: true, points: [{ id: 9,
    vector: { dense: { indices: [1], values: [1] } } }] }), 400);
  await expectStatus(client.query(sparse, { query: { indices: [1], values: [1] }, using: 'dense' }), 400);
  await expectStatus(client.query(sparse, { query: { indices: [1], values: [1] }, using: 'nope' }), 400);
  assert.equal((await client.count(sparse, { exact: true })).count, 5);
  assert.equal(await client.deleteCollection(sparse), true);
});

await step('multi-vectors: create with multivector_config, upsert, MaxSim query, prefetch + rrf, 400s', async () => {
  const mv = `${name}_multi`;
  assert.equal(await client.createCollection(mv, { vectors: {
    dense: { size: 2, distance: 'Dot' },
    colbert: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } },
  } }), true);
  const info = await client.getCollection(mv);
  assert.equal(info.config.params.vectors.colbert.multivector_config.comparator, 'max_sim');
  await client.upsert(mv, { wait: true, points: [
    { id: 1, vector: { dense: [1, 0], colbert: [[1, 0], [0, 1]] }, payload: { g: 'a' } },
    { id: 2, vector: { dense: [0, 1], colbert: [[2, 0]] }, payload: { g: 'b' } },
    { id: 3, vector: { dense: [1, 1], colbert: [[0, 3], [0.5, 0.5], [1, 1]] }, payload: { g: 'a' } },
  ] });
  // MaxSim of [[1,0],[0,1]]: point 3 = 1 + 3, point 1 = 1 + 1, point 2 = 2 + 0
  const r = await client.query(mv, { query: [[1, 0], [0, 1]], using: 'colbert', with_vector: ['colbert'] });
  assert.equal(r.points[0].id, 3);
  assert.ok(Math.abs(r.points[0].score - 4) < 1e-5);
  assert.deepEqual(r.points[0].vector.colbert, [[0, 3], [0.5, 0.5], [1, 1]]);
  const filtered = await client.query(mv, { query: [[1, 0], [0, 1]], using: 'colbert',
    filter: { must: [{ key: 'g', match: { value: 'b' } }] } });
  assert.deepEqual(filtered.points.map((p) => p.id), [2]);
  const fused = await client.query(mv, {
    prefetch: [{ query: [[1, 0]], using: 'colbert', limit: 3 }, { query: [0, 1], using: 'dense', limit: 3 }],
    query: { fusion: 'rrf' },
  });
  assert.equal(fused.points.length, 3);
  const e = await expectStatus(client.upsert(mv, { wait: true, points: [{ id: 9,
    vector: { dense: [1, 0], colbert: [1, 0] } }] }), 400);
  assert.match(e.data?.status?.error ?? '', /points\[0\]\.vector\.colbert/);
  await expectStatus(client.upsert(mv, { wait: true, points: [{ id: 9,
    vector: { dense: [1, 0], colbert: [[1, 0], [1, 0, 0]] } }] }), 400);
  await expectStatus(client.query(mv, { query: [[1, 0, 0]], using: 'colbert' }), 400);
  assert.equal((await client.count(mv, { exact: true })).count, 3);
  assert.equal(await client.deleteCollection(mv), true);
});

await step('Document inference: qdrant/bm25 and quiver/bm25 upsert, query, prefetch + rrf, 400s', async () => {
  const d = `${name}_docs`;
  await client.createCollection(d, {
    vectors: { dense: { size: 2, distance: 'Cosine' } },
    sparse_vectors: { bm25: { modifier: 'idf' }, ours: { modifier: 'idf' } },
  });
  const doc = (text, model = 'qdrant/bm25') => ({ text, model });
  await client.upsert(d, { wait: true, points: [
    { id: 1, vector: { dense: [1, 0], bm25: doc('Dogs are running'), ours: doc('Dogs are running', 'quiver/bm25') } },
    { id: 2, vector: { dense: [0, 1], bm25: doc('A cat sleeps'), ours: doc('A cat sleeps', 'quiver/bm25') } },
  ] });
  await client.upsert(d, { wait: true, batch: { ids: [3], vectors: {
    dense: [[1, 1]], bm25: [{ text: 'Cats chase dogs', model: 'qdrant/bm25', options: { avg_len: 3 } }],
  } } });
  // "dogs are running": dog and run kept (are is a stop word), dl 2 at avg_len 256, tf 1
  const value = 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2 / 256));
  const one = (await client.retrieve(d, { ids: [1], with_vector: ['bm25'] }))[0].vector.bm25;
  assert.equal(one.indices.length, 2);
  one.values.forEach((v) => assert.ok(Math.abs(v - value) < 1e-6, `value ${v}, want ${value}`));
  const r = await client.query(d, { query: doc('running dog'), using: 'bm25' });
  assert.deepEqual(r.points.map((p) => p.id), [1, 3]);
  const n = await client.query(d, { query: { nearest: doc('cats', 'quiver/bm25') }, using: 'ours' });
  assert.deepEqual(n.points.map((p) => p.id), [2]);
  const fused = await client.query(d, {
    prefetch: [
      { query: [0, 1], using: 'dense', limit: 3 },
      { query: doc('sleeping cat'), using: 'bm25', limit: 3 },
    ],
    query: { fusion: 'rrf' },
    limit: 3,
  });
  assert.equal(fused.points[0].id, 2);
  assert.ok(Math.abs(fused.points[0].score - 1) < 1e-6, `score ${fused.points[0].score}`); // 1/2 + 1/2
  let e = await expectStatus(client.upsert(d, { wait: true, points: [{ id: 9, vector: { dense: doc('x') } }] }), 400);
  assert.match(e.data?.status?.error ?? '', /points\[0\]\.vector\.dense\.model: 'qdrant\/bm25' is a sparse model and 'dense' is a dense vector field/);
  e = await expectStatus(client.upsert(d, { wait: true, points: [{ id: 9, vector: { bm25: doc('x', 'bert') } }] }), 400);
  assert.match(e.data?.status?.error ?? '', /points\[0\]\.vector\.bm25\.model: unknown sparse model/);
  e = await expectStatus(client.query(d, { query: doc('x'), using: 'dense' }), 400);
  assert.match(e.data?.status?.error ?? '', /query\.model: 'qdrant\/bm25' is a sparse model/);
  assert.equal((await client.count(d, { exact: true })).count, 3);
  assert.equal(await client.deleteCollection(d), true);
});

await step('Document inference: sentence-transformers/all-MiniLM-L6-v2 text in and out, hybrid, 400s', async () => {
  const d = `${name}_minilm`;
  const model = 'sentence-transformers/all-MiniLM-L6-v2';
  await client.createCollection(d, {
    vectors: { text: { size: 384, distance: 'Cosine' }, small: { size: 4, distance: 'Cosine' } },
    sparse_vectors: { bm25: { modifier: 'idf' } },
  });
  const texts = ['The cat sleeps on the windowsill.', 'Interest rates were raised to curb inflation.',
    'The wing stalls when the flow separates.'];
  await client.upsert(d, { wait: true, points: texts.map((t, i) => ({
    id: i + 1, vector: { text: { text: t, model }, bm25: { text: t, model: 'qdrant/bm25' } } })) });
  const v = (await client.retrieve(d, { ids: [1], with_vector: ['text'] }))[0].vector.text;
  assert.equal(v.length, 384);
  const r = await client.query(d, { query: { text: 'a sleeping kitten', model }, using: 'text', limit: 3 });
  assert.equal(r.points[0].id, 1);
  const h = await client.query(d, {
    prefetch: [
      { query: { text: 'central bank inflation', model }, using: 'text', limit: 3 },
      { query: { text: 'central bank inflation', model: 'qdrant/bm25' }, using: 'bm25', limit: 3 },
    ],
    query: { fusion: 'dbsf' },
  });
  assert.equal(h.points[0].id, 2);
  let e = await expectStatus(client.upsert(d, { wait: true, points: [{ id: 9, vector: { small: { text: 'x', model } } }] }), 400);
  assert.match(e.data?.status?.error ?? '', /points\[0\]\.vector\.small: .* gives 384-dimensional vectors, but 'small' has size 4/);
  e = await expectStatus(client.query(d, { query: { text: 'x', model: 'all-MiniLM-L6-v2' }, using: 'text' }), 400);
  assert.match(e.data?.status?.error ?? '', /query\.model: unknown model 'all-MiniLM-L6-v2'/);
  assert.equal((await client.count(d, { exact: true })).count, 3);
  assert.equal(await client.deleteCollection(d), true);
});

await step('wrong vector dimension -> 400', async () => {
  const e = await expectStatus(client.upsert(name, { wait: true, points: [{ id: 9, vector: [1, 2, 3] }] }), 400);
  assert.match(JSON.stringify(e.data ?? e.message), /dimension|dim/i);
});

await step('wrong query dimension -> 400', async () => {
  await expectStatus(client.query(name, { query: [1, 2], limit: 1 }), 400);
});

await step('text index: createPayloadIndex with TextIndexParams, text / text_any / phrase filters', async () => {
  const t = 'js_client_text';
  await client.createCollection(t, { vectors: { size: 2, distance: 'Dot' } });
  await client.upsert(t, { wait: true, points: [
    { id: 1, vector: [1, 0], payload: { body: 'The quick brown fox jumps' } },
    { id: 2, vector: [0, 1], payload: { body: 'Running cats and a brown dog' } },
    { id: 3, vector: [1, 1], payload: { body: ['brown', 'quick cat'] } },
  ] });
  const byText = async (match) => (await client.scroll(t, { limit: 10,
    filter: { must: [{ key: 'body', match }] } })).points.map((p) => p.id).sort();
  // no index yet: substring semantics, as LangChain4j's containsString expects
  assert.deepEqual(await byText({ text: 'rown' }), [1, 2, 3]);
  const r = await client.createPayloadIndex(t, { field_name: 'body', wait: true, field_schema: {
    type: 'text', tokenizer: 'word', lowercase: true, phrase_matching: true, stopwords: 'english',
    stemmer: { type: 'snowball', language: 'english' } } });
  assert.equal(r.status, 'completed');
  const info = await client.getCollection(t);
  assert.equal(info.payload_schema.body.data_type, 'text');
  assert.equal(info.payload_schema.body.params.stemmer.language, 'english');
  assert.deepEqual(await byText({ text: 'run cats' }), [2]);
  assert.deepEqual(await byText({ text: 'quick cat' }), [3]);
  assert.deepEqual(await byText({ text_any: 'fox dog' }), [1, 2]);
  assert.deepEqual(await byText({ phrase: 'brown foxes' }), [1]);
  const e = await expectStatus(client.createPayloadIndex(t, { field_name: 'body', wait: true,
    field_schema: { type: 'text', min_token_len: 5, max_token_len: 2 } }), 400);
  assert.match(e.data?.status?.error ?? '', /body\.field_schema: min_token_len/);
  assert.equal((await client.getCollection(t)).payload_schema.body.params.phrase_matching, true);
  assert.equal(await client.deleteCollection(t), true);
});

await step('groups: queryGroups (arrays, missing key, with_lookup), searchPointGroups (1.12), 400s', async () => {
  const g = 'js_client_groups';
  const docs = 'js_client_group_docs';
  await client.createCollection(g, { vectors: { size: 2, distance: 'Dot' } });
  await client.createCollection(docs, { vectors: { size: 2, distance: 'Dot' } });
  await client.upsert(docs, { wait: true, points: [
    { id: 1, vector: [1, 0], payload: { title: 'one' } },
    { id: 2, vector: [0, 1], payload: { title: 'two' } },
  ] });
  await client.upsert(g, { wait: true, points: [
    { id: 1, vector: [1, 0], payload: { doc: 1 } },
    { id: 2, vector: [0.9, 0], payload: { doc: [1, 2] } },
    { id: 3, vector: [0.8, 0], payload: { doc: 1 } },
    { id: 4, vector: [0.7, 0], payload: { doc: 2 } },
    { id: 5, vector: [0.95, 0], payload: { other: 1 } },
    { id: 6, vector: [0.1, 0], payload: { doc: 'x' } },
  ] });
  const r = await client.queryGroups(g, { query: [1, 0], group_by: 'doc', group_size: 2, limit: 2,
    with_payload: true, with_lookup: { collection: docs, with_payload: true } });
  assert.deepEqual(r.groups.map((x) => x.id), [1, 2]);
  assert.deepEqual(r.groups[0].hits.map((h) => h.id), [1, 2]);
  assert.deepEqual(r.groups[1].hits.map((h) => h.id), [2, 4]);
  assert.deepEqual(r.groups[1].hits[0].payload.doc, [1, 2]);
  assert.equal(r.groups[0].lookup.payload.title, 'one');
  assert.equal(r.groups[1].lookup.id, 2);
  const filtered = await client.queryGroups(g, { query: [1, 0], group_by: 'doc', group_size: 1,
    filter: { must_not: [{ has_id: [1, 2] }] } });
  assert.deepEqual(filtered.groups.map((x) => [x.id, x.hits[0].id]), [[1, 3], [2, 4], ['x', 6]]);
  const old = new QdrantClient112({ url, checkCompatibility: false });
  // this client's searchPointGroups sends no with_lookup
  const s = await old.searchPointGroups(g, { vector: [1, 0], group_by: 'doc', group_size: 1, limit: 3 });
  assert.deepEqual(s.groups.map((x) => [x.id, x.hits[0].id]), [[1, 1], [2, 2], ['x', 6]]);
  let e = await expectStatus(client.queryGroups(g, { query: [1, 0], group_by: 'doc', group_size: 0 }), 400);
  assert.match(e.data?.status?.error ?? '', /body\.group_size/);
  e = await expectStatus(client.queryGroups(g, { query: [1, 0] }), 400);
  assert.match(e.data?.status?.error ?? '', /body\.group_by/);
  await expectStatus(client.queryGroups(g, { query: [1, 0], group_by: 'doc', with_lookup: 'nope' }), 404);
  assert.equal(await client.deleteCollection(g), true);
  assert.equal(await client.deleteCollection(docs), true);
});

await step('MMR: query {nearest, mmr} spreads near-duplicates, keeps the similarity as score, bad diversity -> 400',
  async () => {
    const m = 'js_client_mmr';
    await client.createCollection(m, { vectors: { size: 2, distance: 'Cosine' } });
    await client.upsert(m, { wait: true, points: [
      { id: 1, vector: [1, 0] }, { id: 2, vector: [0.99, 0.01] }, { id: 3, vector: [0.98, 0.02] },
      { id: 4, vector: [0.7, 0.7] },
    ] });
    const plain = await client.query(m, { query: { nearest: [1, 0], mmr: { diversity: 0, candidates_limit: 4 } },
      limit: 2 });
    assert.deepEqual(plain.points.map((p) => p.id), [1, 2]);
    const diverse = await client.query(m, { query: { nearest: [1, 0], mmr: { diversity: 0.9, candidates_limit: 4 } },
      limit: 2 });
    assert.deepEqual(diverse.points.map((p) => p.id), [1, 4]);
    assert.ok(Math.abs(diverse.points[1].score - Math.SQRT1_2) < 1e-4);
    const e = await expectStatus(client.query(m, { query: { nearest: [1, 0], mmr: { diversity: 2 } } }), 400);
    assert.match(e.data?.status?.error ?? '', /body\.query\.mmr\.diversity/);
    assert.equal(await client.deleteCollection(m), true);
  });

await step('order_by and sample queries, scroll order_by, facet; order_by without a range index -> 400', async () => {
  const o = 'js_client_ordered';
  await client.createCollection(o, { vectors: { size: 2, distance: 'Dot' } });
  await client.upsert(o, { wait: true, points: [
    { id: 1, vector: [1, 0], payload: { n: 5, tag: 'x' } },
    { id: 2, vector: [0, 1], payload: { n: 2, tag: 'y' } },
    { id: 3, vector: [1, 1], payload: { n: 9, tag: 'x' } },
    { id: 4, vector: [1, 2], payload: { n: 2, tag: 'x' } },
  ] });
  const e = await expectStatus(client.query(o, { query: { order_by: 'n' } }), 400);
  assert.match(e.data?.status?.error ?? '', /body\.query\.order_by\.key/);
  await client.createPayloadIndex(o, { field_name: 'n', field_schema: 'integer', wait: true });
  await client.createPayloadIndex(o, { field_name: 'tag', field_schema: 'keyword', wait: true });
  const asc = await client.query(o, { query: { order_by: 'n' } });
  assert.deepEqual(asc.points.map((p) => [p.id, p.order_value, p.score]),
    [[2, 2, 0], [4, 2, 0], [1, 5, 0], [3, 9, 0]]);
  const desc = await client.query(o, { query: { order_by: { key: 'n', direction: 'desc', start_from: 5 } },
    filter: { must: [{ key: 'tag', match: { value: 'x' } }] }, limit: 1 });
  assert.deepEqual(desc.points.map((p) => [p.id, p.order_value]), [[1, 5]]);
  const scrolled = await client.scroll(o, { order_by: { key: 'n', direction: 'desc' }, limit: 2 });
  assert.deepEqual(scrolled.points.map((p) => [p.id, p.order_value]), [[3, 9], [1, 5]]);
  const sample = await client.query(o, { query: { sample: 'random' }, limit: 3 });
  assert.equal(new Set(sample.points.map((p) => p.id)).size, 3);
  const facet = await client.facet(o, { key: 'tag' });
  assert.deepEqual(facet.hits, [{ value: 'x', count: 3 }, { value: 'y', count: 1 }]);
  const n = await client.facet(o, { key: 'n', filter: { must: [{ key: 'tag', match: { value: 'x' } }] }, limit: 2 });
  assert.deepEqual(n.hits, [{ value: 2, count: 1 }, { value: 5, count: 1 }]);
  assert.equal(await client.deleteCollection(o), true);
});

await step('recommend / discover / context queries; recommend, recommendPointGroups and discoverPoints on the 1.12 client; 400s', async () => {
  const m = 'js_client_examples';
  await client.createCollection(m, { vectors: { size: 2, distance: 'Dot' } });
  await client.upsert(m, { wait: true, points: [
    { id: 1, vector: [1, 0] }, { id: 2, vector: [0.9, 0.1], payload: { g: 'x' } }, { id: 3, vector: [0, 1] },
    { id: 4, vector: [-1, 0], payload: { g: 'x' } }, { id: 5, vector: [0.5, 0.5], payload: { g: 'y' } },
  ] });
  const ids = (r) => r.points.map((p) => p.id);
  // average_vector: one search by 2·[1,0] - [0,1] = [2,-1]; the examples themselves are left out
  const avg = await client.query(m, { query: { recommend: { positive: [1], negative: [3] } }, limit: 2 });
  assert.deepEqual(ids(avg), [2, 5]);
  assert.ok(Math.abs(avg.points[0].score - 1.7) < 1e-5);
  // best_score: g(best positive) if it beats the best negative, else -g(best negative); g(x) = (x/(1+|x|) + 1)/2
  const best = await client.query(m, { query: { recommend: { positive: [1], negative: [[0, 1]],
    strategy: 'best_score' } } });
  assert.deepEqual(ids(best), [2, 4, 5, 3]);
  assert.ok(Math.abs(best.points[0].score - 0.5 * (0.9 / 1.9 + 1)) < 1e-5);
  assert.ok(Math.abs(best.points[1].score + 0.5) < 1e-5);
  const sum = await client.query(m, { query: { recommend: { positive: [1], negative: [3], strategy: 'sum_scores' } } });
  assert.deepEqual(ids(sum), [2, 5, 4]);
  const pair = { positive: 1, negative: 4 };
  const disc = await client.query(m, { query: { discover: { target: [0, 1], context: [pair] } } });
  assert.deepEqual(ids(disc), [5, 2, 3]);
  const ctx = await client.query(m, { query: { context: [pair] } });
  assert.deepEqual(ids(ctx), [2, 5, 3]);
  const old = new QdrantClient112({ url, checkCompatibility: false });
  const reco = await old.recommend(m, { positive: [1], negative: [3], limit: 2 });
  assert.deepEqual(reco.map((p) => p.id), [2, 5]);
  const grouped = await old.recommendPointGroups(m, { positive: [1], negative: [3], group_by: 'g', group_size: 1,
    limit: 2 });
  assert.deepEqual(grouped.groups.map((x) => x.hits[0].id), [2, 5]);
  const discovered = await old.discoverPoints(m, { target: [0, 1], context: [pair], limit: 3 });
  assert.deepEqual(discovered.map((p) => p.id), [5, 2, 3]);
  const e = await expectStatus(client.query(m, { query: { recommend: { positive: [99] } } }), 400);
  assert.match(e.data?.status?.error ?? '', /body\.query\.recommend\.positive\[0\]/);
  assert.equal(await client.deleteCollection(m), true);
});

await step('formula query over a prefetch (score boosting), searchMatrixPairs / searchMatrixOffsets; bad formula -> 400', async () => {
  const f = 'js_client_formula';
  await client.createCollection(f, { vectors: { size: 2, distance: 'Dot' } });
  await client.upsert(f, { wait: true, points: [
    { id: 1, vector: [1, 0], payload: { boost: 0 } },
    { id: 2, vector: [0.8, 0.2], payload: { boost: 1 } },
    { id: 3, vector: [0.4, 0.6], payload: { tag: 'x' } },
    { id: 4, vector: [0, 1], payload: { boost: 0.5, tag: 'x' } },
  ] });
  // $score + 0.5·boost (default 0) + 0.25·[tag = x] + 0.5^((|$score - 1| / 0.5)^2)
  const boosted = await client.query(f, { prefetch: { query: [1, 0], limit: 10 }, query: {
    formula: { sum: ['$score', { mult: [0.5, 'boost'] }, { mult: [0.25, { key: 'tag', match: { value: 'x' } }] },
      { gauss_decay: { x: '$score', target: 1, scale: 0.5 } }] },
    defaults: { boost: 0 } } });
  const g = (s) => Math.pow(0.5, Math.pow(Math.abs(s - 1) / 0.5, 2));
  const want = [[2, 0.8 + 0.5 + g(0.8)], [1, 1 + g(1)], [3, 0.4 + 0.25 + g(0.4)], [4, 0.25 + 0.25 + g(0)]];
  assert.deepEqual(boosted.points.map((p) => p.id), want.map((w) => w[0]));
  boosted.points.forEach((p, i) => assert.ok(Math.abs(p.score - want[i][1]) < 1e-5, `${p.id}: ${p.score}`));
  const pairs = await client.searchMatrixPairs(f, { sample: 4, limit: 1 });
  assert.deepEqual(pairs.pairs.map((p) => [p.a, p.b]), [[1, 2], [2, 1], [3, 4], [4, 3]]);
  pairs.pairs.forEach((p, i) => assert.ok(Math.abs(p.score - [0.8, 0.8, 0.6, 0.6][i]) < 1e-6));
  const offsets = await client.searchMatrixOffsets(f, { sample: 4, limit: 1 });
  assert.deepEqual([offsets.ids, offsets.offsets_row, offsets.offsets_col], [[1, 2, 3, 4], [0, 1, 2, 3], [1, 0, 3, 2]]);
  assert.equal(offsets.scores.length, 4);
  const e = await expectStatus(client.query(f, { prefetch: { query: [1, 0] },
    query: { formula: { sum: ['$score', { div: { left: 1 } }] } } }), 400);
  assert.match(e.data?.status?.error ?? '', /body\.query\.formula\.sum\[1\]\.div\.right: required/);
  const m = await expectStatus(client.searchMatrixPairs(f, { sample: 1 }), 400);
  assert.match(m.data?.status?.error ?? '', /body\.sample/);
  assert.equal((await client.count(f, { exact: true })).count, 4);
  assert.equal(await client.deleteCollection(f), true);
});

await step('calibrated thresholds (Quiver only): calibrate by raw POST, query and search with params.quiver_conformal_alpha, 400s',
  async () => {
    const k = 'js_client_conformal';
    await client.createCollection(k, { vectors: { size: 2, distance: 'Cosine' } });
    const at = (deg) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
    await client.upsert(k, { wait: true, points: Array.from({ length: 30 }, (_, i) => ({ id: i, vector: at(i * 3) })) });
    // query j sits (j % 5) + 1 degrees away from its relevant point j
    const queries = Array.from({ length: 20 }, (_, j) => ({ query: at(j * 3 + (j % 5) + 1), relevant: [j] }));
    const post = (body) => fetch(`${url}/quiver/collections/${k}/calibration`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const r = await post({ alpha: [0.1, 0.2], queries });
    assert.equal(r.status, 200);
    const cal = (await r.json()).result;
    assert.equal(cal.pairs, 20);
    // n = 20, alpha 0.1: k = floor(21 * 0.1) = 2, the second smallest score: the two 5-degree queries are the worst
    const t = cal.thresholds[0].score_threshold;
    assert.ok(Math.abs(t - Math.cos((5 * Math.PI) / 180)) < 1e-4, `threshold ${t}`);
    const hits = await client.query(k, { query: at(30), limit: 30, params: { quiver_conformal_alpha: 0.1 } });
    assert.deepEqual(hits.points.map((p) => p.id).sort((a, b) => a - b), [9, 10, 11], 'the points within 5 degrees');
    assert.ok(hits.points.every((p) => p.score >= t));
    const old = new QdrantClient112({ url, checkCompatibility: false });
    const searched = await old.search(k, { vector: at(30), limit: 30, params: { quiver_conformal_alpha: 0.1 } });
    assert.equal(searched.length, 3);
    let e = await expectStatus(client.query(k, { query: at(30), params: { quiver_conformal_alpha: 0.3 } }), 400);
    assert.match(e.data?.status?.error ?? '', /body\.params\.quiver_conformal_alpha: alpha 0\.3 is not calibrated/);
    e = await expectStatus(client.query(k, { query: at(30), score_threshold: 0.5,
      params: { quiver_conformal_alpha: 0.1 } }), 400);
    assert.match(e.data?.status?.error ?? '', /not both/);
    const tooFew = await post({ alpha: 0.01, queries });
    assert.equal(tooFew.status, 400);
    assert.match((await tooFew.json()).status.error, /body\.alpha: alpha 0\.01 needs at least 99/);
    const got = await (await fetch(`${url}/quiver/collections/${k}/calibration?using=`)).json();
    assert.deepEqual(got.result.thresholds.map((x) => x.alpha), [0.1, 0.2], 'the refused request changed nothing');
    assert.equal((await fetch(`${url}/quiver/collections/${k}/calibration`, { method: 'DELETE' })).status, 200);
    await expectStatus(client.query(k, { query: at(30), params: { quiver_conformal_alpha: 0.1 } }), 400);
    assert.equal(await client.deleteCollection(k), true);
  });

await step('malformed filter -> 400 naming the bad field', async () => {
  const e = await expectStatus(client.count(name, { filter: { must: [{ key: 'city', match: { valu: 'x' } }] } }), 400);
  const msg = e.data?.status?.error ?? '';
  assert.match(msg, /^Bad request: filter\.must\[0\]\.match/);
});

await step('unknown collection -> 404', async () => {
  await expectStatus(client.getCollection('no_such_collection'), 404);
  await expectStatus(client.query('no_such_collection', { query: [1, 0, 0, 0], limit: 1 }), 404);
});

await step('deleteCollection', async () => {
  assert.equal(await client.deleteCollection(name), true);
  assert.equal((await client.collectionExists(name)).exists, false);
});

assert.deepEqual(warnings, [], 'client printed warnings');

const [authUrl, apiKey, readOnlyKey] = process.argv.slice(3);
if (authUrl) {
  const opts = { url: authUrl, checkCompatibility: false };
  const full = new QdrantClient({ ...opts, apiKey });
  const readOnly = new QdrantClient({ ...opts, apiKey: readOnlyKey });
  const anonymous = new QdrantClient(opts);
  const wrong = new QdrantClient({ ...opts, apiKey: 'not-the-key' });
  const authName = 'js_client_auth';

  await step('API key: no key and a wrong key -> 401', async () => {
    await expectStatus(anonymous.getCollections(), 401);
    await expectStatus(wrong.getCollections(), 401);
    await expectStatus(anonymous.createCollection(authName, { vectors: { size: 2, distance: 'Dot' } }), 401);
  });

  await step('API key: the full key creates, upserts and queries', async () => {
    assert.equal(await full.createCollection(authName, { vectors: { size: 2, distance: 'Dot' } }), true);
    await full.upsert(authName, { wait: true, points: [{ id: 1, vector: [1, 0] }, { id: 2, vector: [0, 1] }] });
    const r = await full.query(authName, { query: [1, 0], limit: 1 });
    assert.deepEqual(r.points.map((p) => p.id), [1]);
  });

  await step('read-only key: queries, scrolls and counts, but writes -> 403 and change nothing', async () => {
    assert.equal((await readOnly.query(authName, { query: [0, 1], limit: 1 })).points[0].id, 2);
    assert.equal((await readOnly.scroll(authName, { limit: 10 })).points.length, 2);
    assert.equal((await readOnly.count(authName, { exact: true })).count, 2);
    await expectStatus(readOnly.upsert(authName, { wait: true, points: [{ id: 3, vector: [1, 1] }] }), 403);
    await expectStatus(readOnly.delete(authName, { wait: true, points: [1] }), 403);
    await expectStatus(readOnly.deleteCollection(authName), 403);
    assert.equal((await full.count(authName, { exact: true })).count, 2);
    assert.equal(await full.deleteCollection(authName), true);
  });

  // the client warns once per client that an API key travels over plain http; nothing else is allowed
  const others = warnings.filter((w) => !/unsecure connection/i.test(w));
  assert.deepEqual(others, [], 'client printed warnings');
}
console.log(`all ${passed} steps passed`);
