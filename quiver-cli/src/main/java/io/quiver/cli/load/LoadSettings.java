package io.quiver.cli.load;

/**
 * What one load test run is asked to do, shared by the runner and the report.
 *
 * @param client the HTTP client: raw or jdk (gRPC always uses grpc-java's Netty client)
 * @param concurrency connections, each with one request in flight
 * @param warmup unmeasured seconds before each scenario
 * @param duration measured seconds per scenario
 * @param limit neighbours per query (the k of recall@k)
 * @param ef {@code params.hnsw_ef} of every query
 * @param points points loaded
 * @param dim vector dimension
 * @param seed data and query seed
 * @param queryPool distinct pre-generated queries
 * @param upsertPoints points the upsert scenario writes
 * @param upsertBatch points per request of the upsert scenario
 */
record LoadSettings(String client, int concurrency, double warmup, double duration, int limit, int ef, int points,
    int dim, long seed, int queryPool, int upsertPoints, int upsertBatch) {}
