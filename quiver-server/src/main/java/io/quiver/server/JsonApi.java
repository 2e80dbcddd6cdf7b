package io.quiver.server;

import static io.quiver.server.Endpoints.waitAware;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.Quiver;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Qdrant's operations over the REST API's JSON shapes, without HTTP: the one implementation behind both the REST
 * routes ({@link QuiverServer}) and the gRPC services ({@code io.quiver.server.grpc}), so both transports validate,
 * limit and word errors alike. A caller names an {@link Operation}, its path parameters ({@code name} for the
 * collection, {@code field}, {@code snapshot}) and a request body as the REST API takes it.
 */
public final class JsonApi {
  /** An operation refused: the HTTP status REST answers, Qdrant's message, and whether it is a missing feature. */
  public record Failure(int status, String message, boolean unsupported) {}

  /** The operations, by the REST route that serves each. */
  public enum Operation {
    LIST_COLLECTIONS(true), COLLECTION_EXISTS(true), CREATE_COLLECTION(false), GET_COLLECTION(true),
    DELETE_COLLECTION(false), UPDATE_COLLECTION(false), CREATE_INDEX(false), DELETE_INDEX(false),
    CREATE_VECTOR(false), LIST_ALIASES(true), COLLECTION_ALIASES(true), UPDATE_ALIASES(false),
    UPSERT(false), DELETE_POINTS(false), UPDATE_BATCH(false), UPDATE_VECTORS(false), SET_PAYLOAD(false),
    OVERWRITE_PAYLOAD(false), DELETE_PAYLOAD(false), CLEAR_PAYLOAD(false),
    RETRIEVE(true), SEARCH(true), SEARCH_BATCH(true), QUERY(true), QUERY_BATCH(true), RECOMMEND(true),
    RECOMMEND_BATCH(true), DISCOVER(true), DISCOVER_BATCH(true), QUERY_GROUPS(true), SEARCH_GROUPS(true),
    RECOMMEND_GROUPS(true), SCROLL(true), COUNT(true), FACET(true), MATRIX_PAIRS(true), MATRIX_OFFSETS(true),
    CREATE_SNAPSHOT(false), LIST_SNAPSHOTS(true), DELETE_SNAPSHOT(false);

    /** Whether it only reads: allowed to the read-only key, and bounded by the request timeout. */
    public final boolean read;

    Operation(boolean read) {
      this.read = read;
    }
  }

  final Endpoints ep;
  final SnapshotEndpoints snapshots;
  final CollectionEndpoints collections;
  final AliasEndpoints aliases;
  final PointsUpdateEndpoints updates;
  final SearchEndpoints search;
  final QueryEndpoints query;
  final RetrieveEndpoints retrieve;
  final RecommendEndpoints recommend;
  final GroupsEndpoints groups;
  final CountEndpoints count;
  final FacetEndpoints facet;
  final MatrixEndpoints matrix;
  private final Map<Operation, Endpoints.Op> ops = new EnumMap<>(Operation.class);

  JsonApi(Endpoints ep) {
    this.ep = ep;
    snapshots = new SnapshotEndpoints(ep);
    collections = new CollectionEndpoints(ep, snapshots);
    aliases = new AliasEndpoints(ep);
    updates = new PointsUpdateEndpoints(ep);
    search = new SearchEndpoints(ep);
    query = new QueryEndpoints(ep);
    retrieve = new RetrieveEndpoints(ep);
    recommend = new RecommendEndpoints(ep);
    groups = new GroupsEndpoints(ep, query, search);
    count = new CountEndpoints(ep);
    facet = new FacetEndpoints(ep);
    matrix = new MatrixEndpoints(ep);
    ops.put(Operation.LIST_COLLECTIONS, collections::list);
    ops.put(Operation.COLLECTION_EXISTS, collections::exists);
    ops.put(Operation.CREATE_COLLECTION, collections::create);
    ops.put(Operation.GET_COLLECTION, collections::info);
    ops.put(Operation.DELETE_COLLECTION, collections::delete);
    ops.put(Operation.UPDATE_COLLECTION, collections::update);
    ops.put(Operation.CREATE_INDEX, waitAware(collections::createIndex));
    ops.put(Operation.DELETE_INDEX, waitAware(collections::deleteIndex));
    ops.put(Operation.CREATE_VECTOR, waitAware(collections::createVector));
    ops.put(Operation.LIST_ALIASES, aliases::all);
    ops.put(Operation.COLLECTION_ALIASES, aliases::ofCollection);
    ops.put(Operation.UPDATE_ALIASES, aliases::update);
    ops.put(Operation.UPSERT, waitAware(updates::upsert));
    ops.put(Operation.DELETE_POINTS, waitAware(updates::delete));
    ops.put(Operation.UPDATE_BATCH, waitAware(updates::batch));
    ops.put(Operation.UPDATE_VECTORS, waitAware(updates::updateVectors));
    ops.put(Operation.SET_PAYLOAD, waitAware(c -> updates.payloadOp(c, "set")));
    ops.put(Operation.OVERWRITE_PAYLOAD, waitAware(c -> updates.payloadOp(c, "overwrite")));
    ops.put(Operation.DELETE_PAYLOAD, waitAware(c -> updates.payloadOp(c, "delete")));
    ops.put(Operation.CLEAR_PAYLOAD, waitAware(updates::clearPayload));
    ops.put(Operation.RETRIEVE, retrieve::retrieve);
    ops.put(Operation.SEARCH, search::search);
    ops.put(Operation.SEARCH_BATCH, search::searchBatch);
    ops.put(Operation.QUERY, query::query);
    ops.put(Operation.QUERY_BATCH, query::queryBatch);
    ops.put(Operation.RECOMMEND, recommend::recommend);
    ops.put(Operation.RECOMMEND_BATCH, recommend::recommendBatch);
    ops.put(Operation.DISCOVER, recommend::discover);
    ops.put(Operation.DISCOVER_BATCH, recommend::discoverBatch);
    ops.put(Operation.QUERY_GROUPS, groups::queryGroups);
    ops.put(Operation.SEARCH_GROUPS, groups::searchGroups);
    ops.put(Operation.RECOMMEND_GROUPS, groups::recommendGroups);
    ops.put(Operation.SCROLL, retrieve::scroll);
    ops.put(Operation.COUNT, count::count);
    ops.put(Operation.FACET, facet::facet);
    ops.put(Operation.MATRIX_PAIRS, matrix::pairs);
    ops.put(Operation.MATRIX_OFFSETS, matrix::offsets);
    ops.put(Operation.CREATE_SNAPSHOT, snapshots::create);
    ops.put(Operation.LIST_SNAPSHOTS, snapshots::list);
    ops.put(Operation.DELETE_SNAPSHOT, snapshots::delete);
    for (Operation o : Operation.values()) {
      Objects.requireNonNull(ops.get(o), o.name());
    }
  }

  public Quiver db() {
    return ep.db;
  }

  public ObjectMapper json() {
    return ep.json;
  }

  public ServerConfig config() {
    return ep.config;
  }

  /**
   * Runs {@code op} with {@code params} (path parameters, and {@code wait}: "true" for a write's answer to say
   * completed rather than acknowledged) on {@code body}. A read runs under {@code timeout} (or the server's request
   * timeout when null; zero for none) and fails with status 408 past it.
   *
   * @throws Exception what the operation throws; {@link #failure} turns it into a status and message
   */
  public JsonNode run(Operation op, Map<String, String> params, ObjectNode body, Duration timeout) throws Exception {
    Call call = new MapCall(params, body);
    Endpoints.Op o = ops.get(op);
    Duration t = timeout != null ? timeout : ep.config.requestTimeout();
    if (!op.read || t.isZero()) {
      return o.run(call);
    }
    return ep.withDeadline(() -> o.run(call), t);
  }

  /** The status and message for {@code err}, raised by {@link #run} for {@code where} (an RPC's name). */
  public static Failure failure(Exception err, String where) {
    return Endpoints.failure(err, where);
  }

  /** A {@link Call} whose parameters and body were handed over whole. */
  private record MapCall(Map<String, String> params, ObjectNode body) implements Call {
    @Override
    public String pathParam(String name) {
      return params.get(name);
    }

    @Override
    public String queryParam(String name) {
      return params.get(name);
    }
  }
}
