package io.quiver.server;

import static io.quiver.server.Endpoints.waitAware;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.quiver.Quiver;
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
  private final WebServer server;
  private final ServerMetrics metrics;
  private final AgentBackend agent;

  private QuiverServer(Quiver db, ServerConfig config) {
    Objects.requireNonNull(db, "db");
    this.config = Objects.requireNonNull(config, "config");
    ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.endpoints = new Endpoints(db, json, config);
    this.metrics = new ServerMetrics(db);
    this.agent = new AgentBackend(db, config);
    var builder = WebServer.builder()
        .host(config.host())
        .port(config.port())
        .shutdownHook(false) // the owner closes us (quiver serve: server first, then the database)
        .routing(r -> {
          // log and measure first, so refused requests (401, 403, 429) are counted too
          r.addFilter(new RequestLog(config.requestLogLevel())).addFilter(metrics).addFilter(new AccessFilter(config));
          routes(r);
        });
    if (config.tls() != null) {
      builder.tls(TlsSetup.tls(config.tls()));
    }
    this.server = builder.build().start();
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

  @Override
  public void close() {
    server.stop();
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
    SnapshotEndpoints snapshots = new SnapshotEndpoints(ep);
    CollectionEndpoints collections = new CollectionEndpoints(ep, snapshots);
    rt.get("/collections", ep.wrap(collections::list));
    rt.get("/collections/{name}/exists", ep.wrap(collections::exists));
    rt.put("/collections/{name}", ep.wrap(collections::create));
    rt.get("/collections/{name}", ep.wrap(collections::info));
    rt.delete("/collections/{name}", ep.wrap(collections::delete));
    rt.patch("/collections/{name}", ep.wrap(collections::update));
    rt.put("/collections/{name}/index", ep.wrap(waitAware(collections::createIndex)));
    rt.delete("/collections/{name}/index/{field}", ep.wrap(waitAware(collections::deleteIndex)));
    rt.put("/collections/{name}/vectors/{vector}", ep.wrap(waitAware(collections::createVector)));

    AliasEndpoints aliases = new AliasEndpoints(ep);
    rt.get("/aliases", ep.wrap(aliases::all));
    rt.get("/collections/{name}/aliases", ep.wrap(aliases::ofCollection));
    rt.post("/collections/aliases", ep.wrap(aliases::update));

    PointsUpdateEndpoints updates = new PointsUpdateEndpoints(ep);
    rt.put("/collections/{name}/points", ep.wrap(waitAware(updates::upsert)));
    rt.post("/collections/{name}/points/delete", ep.wrap(waitAware(updates::delete)));
    rt.post("/collections/{name}/points/batch", ep.wrap(waitAware(updates::batch)));
    rt.put("/collections/{name}/points/vectors", ep.wrap(waitAware(updates::updateVectors)));
    rt.post("/collections/{name}/points/payload", ep.wrap(waitAware(req -> updates.payloadOp(req, "set"))));
    rt.put("/collections/{name}/points/payload", ep.wrap(waitAware(req -> updates.payloadOp(req, "overwrite"))));
    rt.post("/collections/{name}/points/payload/delete", ep.wrap(waitAware(req -> updates.payloadOp(req, "delete"))));
    rt.post("/collections/{name}/points/payload/clear", ep.wrap(waitAware(updates::clearPayload)));

    SearchEndpoints search = new SearchEndpoints(ep);
    QueryEndpoints query = new QueryEndpoints(ep);
    RetrieveEndpoints retrieve = new RetrieveEndpoints(ep);
    rt.post("/collections/{name}/points", ep.wrap(retrieve::retrieve));
    rt.post("/collections/{name}/points/search", ep.wrap(search::search));
    rt.post("/collections/{name}/points/query", ep.wrap(query::query));
    rt.post("/collections/{name}/points/search/batch", ep.wrap(search::searchBatch));
    rt.post("/collections/{name}/points/query/batch", ep.wrap(query::queryBatch));
    RecommendEndpoints recommend = new RecommendEndpoints(ep);
    rt.post("/collections/{name}/points/recommend", ep.wrap(recommend::recommend));
    rt.post("/collections/{name}/points/recommend/batch", ep.wrap(recommend::recommendBatch));
    rt.post("/collections/{name}/points/discover", ep.wrap(recommend::discover));
    rt.post("/collections/{name}/points/discover/batch", ep.wrap(recommend::discoverBatch));
    GroupsEndpoints groups = new GroupsEndpoints(ep, query, search);
    rt.post("/collections/{name}/points/query/groups", ep.wrap(groups::queryGroups));
    rt.post("/collections/{name}/points/search/groups", ep.wrap(groups::searchGroups));
    rt.post("/collections/{name}/points/recommend/groups", ep.wrap(groups::recommendGroups));
    rt.post("/collections/{name}/points/scroll", ep.wrap(retrieve::scroll));
    // Quiver-only: a search with the planner's account of each segment (strategy, estimate, fallback, cost)
    rt.post("/quiver/collections/{name}/points/explain", ep.wrap(search::explain));
    CalibrationEndpoints calibration = new CalibrationEndpoints(ep); // Quiver-only: conformal score thresholds
    rt.post("/quiver/collections/{name}/calibration", ep.wrap(calibration::calibrate));
    rt.get("/quiver/collections/{name}/calibration", ep.wrap(calibration::read));
    rt.delete("/quiver/collections/{name}/calibration", ep.wrap(calibration::delete));
    rt.post("/collections/{name}/points/count", ep.wrap(new CountEndpoints(ep)::count));
    rt.post("/collections/{name}/facet", ep.wrap(new FacetEndpoints(ep)::facet));
    MatrixEndpoints matrix = new MatrixEndpoints(ep);
    rt.post("/collections/{name}/points/search/matrix/pairs", ep.wrap(matrix::pairs));
    rt.post("/collections/{name}/points/search/matrix/offsets", ep.wrap(matrix::offsets));
    rt.get("/collections/{name}/points/{id}", ep.wrap(retrieve::get));

    rt.post("/collections/{name}/snapshots", ep.wrap(snapshots::create));
    rt.get("/collections/{name}/snapshots", ep.wrap(snapshots::list));
    rt.put("/collections/{name}/snapshots/recover", ep.wrap(snapshots::recover));
    rt.post("/collections/{name}/snapshots/upload", ep.wrap(snapshots::upload));
    rt.get("/collections/{name}/snapshots/{snapshot}", snapshots::download);
    rt.delete("/collections/{name}/snapshots/{snapshot}", ep.wrap(snapshots::delete));
    if (config.agentEnabled()) { // Quiver-only: shared agent memory in its own directory (see AgentBackend)
      AgentRoutes.register(rt, ep, agent);
    }
    if (config.mcp().enabled()) { // MCP over streamable HTTP on the same agent memory
      McpHttpEndpoint.register(rt, config, agent);
    }
    rt.fallback();
  }
}
