package io.quiver.server;

import static io.quiver.server.Endpoints.waitAware;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.quiver.Quiver;
import io.quiver.server.grpc.GrpcServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * Serves an open {@link Quiver} over the Qdrant REST API (v1.x shapes) on Helidon SE's web server, whose handlers run
 * on virtual threads. Answers use Qdrant's envelope {@code {"result":..., "status":"ok", "time":s}}; errors
 * {@code {"status":{"error":msg}, "time":s}} with 400/404/409/413/500/507. Closing stops the server, not the database.
 *
 * <p>This class holds the lifecycle, the filters and the routing table; {@link Endpoints} what every endpoint shares
 * (envelope, errors, deadlines, {@code wait}); one {@code *Endpoints} class per resource the endpoints themselves.
 */
public final class QuiverServer implements AutoCloseable {
  /** The Qdrant API version reported at {@code GET /}. */
  public static final String QDRANT_VERSION = "1.19.0";

  private final ServerConfig config;
  private final Endpoints endpoints;
  private final JsonApi api;
  private final WebServer server;
  private final ServerMetrics metrics;
  private final AgentBackend agent;
  private final GrpcServer grpc;

  private QuiverServer(Quiver db, ServerConfig config) {
    Objects.requireNonNull(db, "db");
    this.config = Objects.requireNonNull(config, "config");
    ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.endpoints = new Endpoints(db, json, config);
    this.api = new JsonApi(endpoints);
    this.metrics = new ServerMetrics(db);
    this.agent = new AgentBackend(db, config);
    RateLimiter rateLimiter = new RateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst());
    var builder = WebServer.builder()
        .host(config.host())
        .port(config.port())
        .shutdownHook(false) // the owner closes us (quiver serve: server first, then the database)
        .routing(r -> {
          // log and measure first, so refused requests (401, 403, 429) are counted too
          r.addFilter(new RequestLog(config.requestLogLevel())).addFilter(metrics).addFilter(new AccessFilter(config, rateLimiter));
          routes(r);
        });
    if (config.tls() != null) {
      builder.tls(TlsSetup.tls(config.tls()));
    }
    this.server = builder.build().start();
    GrpcServer g = null;
    if (config.grpcEnabled() && server.port() >= 0) {
      try {
        g = GrpcServer.start(api, metrics.registry(), rateLimiter);
      } catch (RuntimeException e) {
        server.stop();
        closeResources();
        throw e;
      }
    }
    this.grpc = g;
  }

  /** Starts serving {@code db} on {@code host:port} (port 0: an ephemeral port, see {@link #port()}). */
  public static QuiverServer start(Quiver db, String host, int port) {
    return start(db, ServerConfig.builder().host(host).port(port).build());
  }

  public static QuiverServer start(Quiver db, String host, int port, long maxBodyBytes) {
    return start(db, ServerConfig.builder().host(host).port(port).maxRequestBytes(maxBodyBytes).build());
  }

  /**
   * Starts serving {@code db} as {@code config} says (its {@code dataDir} is not used: {@code db} is open).
   *
   * @throws IllegalStateException when the server cannot listen (Helidon logs the cause and returns a stopped
   *     server, port -1, instead of throwing: without this check a caller would wait on a server that never runs)
   */
  public static QuiverServer start(Quiver db, ServerConfig config) {
    QuiverServer s = new QuiverServer(db, config);
    if (s.port() < 0) {
      s.close();
      throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port()
          + " (is the port in use? see the log above)");
    }
    return s;
  }

  public ServerConfig config() {
    return config;
  }

  /** The port the server listens on. */
  public int port() {
    return server.port();
  }

  /** The port Qdrant's gRPC API listens on; -1 when gRPC is off. */
  public int grpcPort() {
    return grpc == null ? -1 : grpc.port();
  }

  @Override
  public void close() {
    if (grpc != null) {
      grpc.close();
    }
    server.stop();
    closeResources();
  }

  private void closeResources() {
    endpoints.close();
    metrics.close();
    try {
      agent.close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing the agent memory", e);
    }
  }

  private void routes(HttpRouting.Builder r) {
    Endpoints ep = endpoints;
    r.get("/metrics", metrics::handle);
    r.get("/", ep.wrap(req -> {
      ObjectNode o = ep.json.createObjectNode();
      o.put("title", "quiver - vector search engine");
      o.put("version", QDRANT_VERSION);
      return o;
    }, false));
    for (String probe : List.of("/healthz", "/livez", "/readyz")) {
      r.get(probe, (req, res) -> {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send("healthz check passed");
      });
    }

    Routes rt = new Routes(r, ep);
    SnapshotEndpoints snapshots = api.snapshots;
    CollectionEndpoints collections = api.collections;
    rt.get("/collections", ep.wrapCall(collections::list));
    rt.get("/collections/{name}/exists", ep.wrapCall(collections::exists));
    rt.put("/collections/{name}", ep.wrapCall(collections::create));
    rt.get("/collections/{name}", ep.wrapCall(collections::info));
    rt.delete("/collections/{name}", ep.wrapCall(collections::delete));
    rt.patch("/collections/{name}", ep.wrapCall(collections::update));
    rt.put("/collections/{name}/index", ep.wrapCall(waitAware(collections::createIndex)));
    rt.delete("/collections/{name}/index/{field}", ep.wrapCall(waitAware(collections::deleteIndex)));
    rt.put("/collections/{name}/vectors/{vector}", ep.wrapCall(waitAware(collections::createVector)));

    AliasEndpoints aliases = api.aliases;
    rt.get("/aliases", ep.wrapCall(aliases::all));
    rt.get("/collections/{name}/aliases", ep.wrapCall(aliases::ofCollection));
    rt.post("/collections/aliases", ep.wrapCall(aliases::update));

    PointsUpdateEndpoints updates = api.updates;
    rt.put("/collections/{name}/points", ep.wrapCall(waitAware(updates::upsert)));
    rt.post("/collections/{name}/points/delete", ep.wrapCall(waitAware(updates::delete)));
    rt.post("/collections/{name}/points/batch", ep.wrapCall(waitAware(updates::batch)));
    rt.put("/collections/{name}/points/vectors", ep.wrapCall(waitAware(updates::updateVectors)));
    rt.post("/collections/{name}/points/payload", ep.wrapCall(waitAware(req -> updates.payloadOp(req, "set"))));
    rt.put("/collections/{name}/points/payload", ep.wrapCall(waitAware(req -> updates.payloadOp(req, "overwrite"))));
    rt.post("/collections/{name}/points/payload/delete", ep.wrapCall(waitAware(req -> updates.payloadOp(req, "delete"))));
    rt.post("/collections/{name}/points/payload/clear", ep.wrapCall(waitAware(updates::clearPayload)));

    SearchEndpoints search = api.search;
    QueryEndpoints query = api.query;
    RetrieveEndpoints retrieve = api.retrieve;
    rt.post("/collections/{name}/points", ep.wrapCall(retrieve::retrieve));
    rt.post("/collections/{name}/points/search", ep.wrapCall(search::search));
    rt.post("/collections/{name}/points/query", ep.wrapCall(query::query));
    rt.post("/collections/{name}/points/search/batch", ep.wrapCall(search::searchBatch));
    rt.post("/collections/{name}/points/query/batch", ep.wrapCall(query::queryBatch));
    RecommendEndpoints recommend = api.recommend;
    rt.post("/collections/{name}/points/recommend", ep.wrapCall(recommend::recommend));
    rt.post("/collections/{name}/points/recommend/batch", ep.wrapCall(recommend::recommendBatch));
    rt.post("/collections/{name}/points/discover", ep.wrapCall(recommend::discover));
    rt.post("/collections/{name}/points/discover/batch", ep.wrapCall(recommend::discoverBatch));
    GroupsEndpoints groups = api.groups;
    rt.post("/collections/{name}/points/query/groups", ep.wrapCall(groups::queryGroups));
    rt.post("/collections/{name}/points/search/groups", ep.wrapCall(groups::searchGroups));
    rt.post("/collections/{name}/points/recommend/groups", ep.wrapCall(groups::recommendGroups));
    rt.post("/collections/{name}/points/scroll", ep.wrapCall(retrieve::scroll));
    // Quiver-only: a search with the planner's account of each segment (strategy, estimate, fallback, cost)
    rt.post("/quiver/collections/{name}/points/explain", ep.wrapCall(search::explain));
    CalibrationEndpoints calibration = new CalibrationEndpoints(ep); // Quiver-only: conformal score thresholds
    rt.post("/quiver/collections/{name}/calibration", ep.wrap(calibration::calibrate));
    rt.get("/quiver/collections/{name}/calibration", ep.wrap(calibration::read));
    rt.delete("/quiver/collections/{name}/calibration", ep.wrap(calibration::delete));
    rt.post("/collections/{name}/points/count", ep.wrapCall(api.count::count));
    rt.post("/collections/{name}/facet", ep.wrapCall(api.facet::facet));
    MatrixEndpoints matrix = api.matrix;
    rt.post("/collections/{name}/points/search/matrix/pairs", ep.wrapCall(matrix::pairs));
    rt.post("/collections/{name}/points/search/matrix/offsets", ep.wrapCall(matrix::offsets));
    rt.get("/collections/{name}/points/{id}", ep.wrapCall(retrieve::get));

    rt.post("/collections/{name}/snapshots", ep.wrapCall(snapshots::create));
    rt.get("/collections/{name}/snapshots", ep.wrapCall(snapshots::list));
    rt.put("/collections/{name}/snapshots/recover", ep.wrapCall(snapshots::recover));
    rt.post("/collections/{name}/snapshots/upload", ep.wrap(snapshots::upload));
    rt.get("/collections/{name}/snapshots/{snapshot}", snapshots::download);
    rt.delete("/collections/{name}/snapshots/{snapshot}", ep.wrapCall(snapshots::delete));
    if (config.agentEnabled()) { // Quiver-only: shared agent memory in its own directory (see AgentBackend)
      AgentRoutes.register(rt, ep, agent);
    }
    if (config.mcp().enabled()) { // MCP over streamable HTTP on the same agent memory
      McpHttpEndpoint.register(rt, config, agent);
    }
    rt.fallback();
  }
}
