package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScrollPage;
import io.quiver.collection.ScrollRequest;
import io.quiver.payload.FieldSchema;
import java.util.List;
import java.util.Set;

/** Reading points by id ({@code POST /points}, {@code GET /points/{id}}) and {@code /points/scroll}. */
final class RetrieveEndpoints {
  private final Endpoints ep;

  RetrieveEndpoints(Endpoints ep) {
    this.ep = ep;
  }

  /** POST /collections/{name}/points. */
  JsonNode retrieve(Call req) {
    Collection c = ep.collection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "ids", "with_payload", "with_vector", "shard_key");
    List<PointId> ids = Json.pointIds(body.get("ids"), "body.ids");
    ep.checkBatchSize(ids.size(), "body.ids");
    PayloadSelector payload = Json.payloadSelector(body.get("with_payload"), "body.with_payload", PayloadSelector.ALL);
    Set<String> vectors = Json.vectorSelector(body.get("with_vector"), "body.with_vector", false);
    ArrayNode out = ep.json.createArrayNode();
    for (PointRecord r : c.retrieve(ids, payload, vectors)) {
      out.add(Json.recordJson(r, payload, c.config()));
    }
    return out;
  }

  /** GET /collections/{name}/points/{id}. */
  JsonNode get(Call req) {
    Collection c = ep.collection(req);
    String raw = req.pathParam("id");
    PointId id;
    try {
      id = PointId.parse(raw);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("Bad request: " + e.getMessage());
    }
    PointRecord r = c.get(id);
    if (r == null) {
      throw new ApiError(404, "Not found: No point with id " + raw + " found");
    }
    return Json.recordJson(r, PayloadSelector.ALL, c.config());
  }

  /** POST /collections/{name}/points/scroll. */
  JsonNode scroll(Call req) {
    Collection c = ep.collection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "filter", "limit", "offset", "with_payload", "with_vector", "order_by",
        "shard_key");
    PointId offset = Json.present(body.get("offset")) ? Json.pointId(body.get("offset"), "body.offset") : null;
    JsonNode ob = body.get("order_by");
    ScrollRequest.OrderBy orderBy = Json.present(ob) ? OrderByJson.parse(c, ob, "body.order_by") : null;
    FieldSchema schema = orderBy == null ? null : c.config().payloadSchema().get(orderBy.key());
    ep.checkWindow(Json.intField(body, "limit", "body", 10, 1), "body");
    ScrollRequest sr = new ScrollRequest(Json.filter(body.get("filter")), offset,
        Json.intField(body, "limit", "body", 10, 1),
        Json.payloadSelector(body.get("with_payload"), "body.with_payload", PayloadSelector.ALL),
        Json.vectorSelector(body.get("with_vector"), "body.with_vector", false), orderBy);
    ScrollPage page = c.scroll(sr);
    ObjectNode o = ep.json.createObjectNode();
    ArrayNode points = o.putArray("points");
    for (int i = 0; i < page.points().size(); i++) {
      ObjectNode p = Json.recordJson(page.points().get(i), sr.payload(), c.config());
      if (orderBy != null) {
        p.set("order_value", OrderByJson.valueJson(page.orderValues().get(i), schema));
      }
      points.add(p);
    }
    o.set("next_page_offset", page.nextOffset() == null ? Json.NODES.nullNode() : Json.idJson(page.nextOffset()));
    return o;
  }
}
