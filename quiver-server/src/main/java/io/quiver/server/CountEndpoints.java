package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.collection.Collection;

/** {@code POST /collections/{name}/points/count}. */
final class CountEndpoints {
  private final Endpoints ep;

  CountEndpoints(Endpoints ep) {
    this.ep = ep;
  }

  JsonNode count(Call req) {
    Collection c = ep.collection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "filter", "exact", "shard_key");
    long n = c.count(Json.filter(body.get("filter")), Json.boolField(body, "exact", "body", true));
    ObjectNode o = ep.json.createObjectNode();
    o.put("count", n);
    return o;
  }
}
