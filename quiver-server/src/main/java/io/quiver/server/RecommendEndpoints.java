package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.ScoredPoint;

/**
 * Qdrant's older example endpoints, {@code /points/recommend} and {@code /points/discover} with their
 * {@code /batch} forms ({@code /points/recommend/groups} is in {@link GroupsEndpoints}): the same queries as {@code query: {recommend|discover}} ({@link ExampleQuery}), with the
 * examples at the top of the body and the answer a plain array of scored points, as {@code /points/search}.
 */
final class RecommendEndpoints {
  private final Endpoints ep;

  RecommendEndpoints(Endpoints ep) {
    this.ep = ep;
  }

  /** POST /collections/{name}/points/recommend. */
  JsonNode recommend(Call req) {
    return recommend(ep.collection(req), ep.body(req), "body");
  }

  /** POST /collections/{name}/points/recommend/batch. */
  JsonNode recommendBatch(Call req) {
    Collection c = ep.collection(req);
    return ep.batch(ep.body(req), "recommend requests", (one, path) -> recommend(c, one, path));
  }

  /** POST /collections/{name}/points/discover. */
  JsonNode discover(Call req) {
    return discover(ep.collection(req), ep.body(req), "body");
  }

  /** POST /collections/{name}/points/discover/batch. */
  JsonNode discoverBatch(Call req) {
    Collection c = ep.collection(req);
    return ep.batch(ep.body(req), "discover requests", (one, path) -> discover(c, one, path));
  }

  private JsonNode recommend(Collection c, ObjectNode body, String path) {
    Json.onlyFields(body, path, "positive", "negative", "strategy", "filter", "params", "limit", "offset",
        "with_payload", "with_vector", "score_threshold", "using", "lookup_from", "shard_key");
    return answer(run(c, body, path));
  }

  /** Runs a recommend request body (at {@code path}) whose fields the caller has checked. */
  HybridQuery.Page run(Collection c, ObjectNode body, String path) {
    String using = using(body, path);
    return ExampleSearch.run(c, ExampleQuery.recommend(c, body, path, using), body, path, using, ep);
  }

  private JsonNode discover(Collection c, ObjectNode body, String path) {
    Json.onlyFields(body, path, "target", "context", "filter", "params", "limit", "offset", "with_payload",
        "with_vector", "using", "lookup_from", "shard_key");
    String using = using(body, path);
    ObjectNode in = ep.json.createObjectNode();
    in.set("target", body.get("target"));
    in.set("context", body.get("context"));
    return answer(ExampleSearch.run(c, ExampleQuery.discover(c, in, path, using), body, path, using, ep));
  }

  private static String using(ObjectNode body, String path) {
    if (Json.present(body.get("lookup_from"))) {
      throw ApiError.unsupported(path + ".lookup_from: not supported yet");
    }
    return Json.stringField(body, "using", path, CollectionConfig.DEFAULT_VECTOR);
  }

  private JsonNode answer(HybridQuery.Page page) {
    ArrayNode out = ep.json.createArrayNode();
    for (ScoredPoint p : page.points()) {
      out.add(Json.scoredJson(p, page.payload()));
    }
    return out;
  }
}
