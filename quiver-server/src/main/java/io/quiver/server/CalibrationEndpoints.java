package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.quiver.PointId;
import io.quiver.QuiverException;
import io.quiver.calibration.Calibration;
import io.quiver.calibration.CalibrationQuery;
import io.quiver.calibration.CalibrationReport;
import io.quiver.calibration.Calibrator;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.ConfigCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Quiver's {@code /quiver/collections/{name}/calibration}: POST calibrates the score thresholds of one vector field
 * by split conformal prediction ({@link Calibrator}) and stores them, replacing the field's previous ones; GET reads
 * them ({@code ?using=} one field); DELETE drops them ({@code ?using=} one field, else all).
 */
final class CalibrationEndpoints {
  private final Endpoints ep;

  CalibrationEndpoints(Endpoints ep) {
    this.ep = ep;
  }

  /**
   * POST: {@code using} (default the unnamed vector), {@code alpha} (a number or an array of them, each in (0, 1)),
   * {@code queries} ([{query, relevant: [ids]}], a query being a dense vector, a sparse {indices, values}, a
   * Document of a sparse model, or a point id), and optionally {@code holdout} (the fraction of queries held out to
   * measure coverage) with {@code seed}.
   */
  JsonNode calibrate(ServerRequest req) throws IOException {
    Collection c = ep.collection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "using", "alpha", "queries", "holdout", "seed");
    String using = Json.stringField(body, "using", "body", CollectionConfig.DEFAULT_VECTOR);
    if (c.config().vector(using) == null && c.config().sparseVector(using) == null) {
      throw ApiError.badRequest("Wrong input: Not existing vector name error: "
          + (using.isEmpty() ? "the collection has only named vectors; pass one in body.using" : using));
    }
    List<Double> alphas = alphas(body.get("alpha"));
    JsonNode qs = body.get("queries");
    if (qs == null || !qs.isArray() || qs.isEmpty()) {
      throw ApiError.badRequest("body.queries: required, a non-empty array of {query, relevant}");
    }
    List<CalibrationQuery> queries = new ArrayList<>(qs.size());
    for (int i = 0; i < qs.size(); i++) {
      queries.add(query(c, qs.get(i), "body.queries[" + i + "]", using));
    }
    Calibrator.Builder b = Calibrator.builder(c, using).alphas(alphas);
    JsonNode holdout = body.get("holdout");
    if (Json.present(holdout)) {
      if (!holdout.isNumber() || !(holdout.doubleValue() > 0 && holdout.doubleValue() < 1)) {
        throw ApiError.badRequest("body.holdout: expected a fraction in (0, 1), got " + holdout);
      }
      JsonNode seed = body.get("seed");
      if (Json.present(seed) && !seed.canConvertToLong()) {
        throw ApiError.badRequest("body.seed: expected an integer, got " + seed);
      }
      b.holdout(holdout.doubleValue(), Json.present(seed) ? seed.longValue() : ThreadLocalRandom.current().nextLong());
    } else if (Json.present(body.get("seed"))) {
      throw ApiError.badRequest("body.seed: only with body.holdout");
    }
    CalibrationReport report;
    try {
      report = b.build().calibrate(queries);
    } catch (QuiverException.InvalidInput e) { // the core names queries[i] and alphas; put them under body
      String m = e.getMessage();
      throw m.startsWith("queries[") ? ApiError.badRequest("body." + m)
          : m.startsWith("alpha") ? ApiError.badRequest("body.alpha: " + m) : e;
    }
    c.calibrations().put(report.calibration());
    ObjectNode out = json(report.calibration());
    if (report.holdout() != null) {
      CalibrationReport.Holdout h = report.holdout();
      out.putObject("holdout").put("seed", h.seed()).put("queries", h.queries()).put("pairs", h.pairs());
      for (int i = 0; i < h.coverage().size(); i++) {
        ((ObjectNode) out.get("thresholds").get(i)).put("holdout_coverage", h.coverage().get(i));
      }
    }
    return out;
  }

  /** GET: {@code {calibrations: [...]}}, or with {@code ?using=} that field's calibration (404 when none). */
  JsonNode read(ServerRequest req) {
    Collection c = ep.collection(req);
    if (req.query().contains("using")) {
      String using = req.query().get("using");
      Calibration cal = c.calibrations().get(using);
      if (cal == null) {
        throw new ApiError(404, "Not found: vector '" + using + "' of collection " + c.name() + " is not calibrated");
      }
      return json(cal);
    }
    ObjectNode out = ep.json.createObjectNode();
    ArrayNode all = out.putArray("calibrations");
    c.calibrations().all().forEach(cal -> all.add(json(cal)));
    return out;
  }

  /** DELETE: the calibration of {@code ?using=} (404 when none), or all of them. */
  JsonNode delete(ServerRequest req) throws IOException {
    Collection c = ep.collection(req);
    if (req.query().contains("using")) {
      String using = req.query().get("using");
      if (!c.calibrations().remove(using)) {
        throw new ApiError(404, "Not found: vector '" + using + "' of collection " + c.name() + " is not calibrated");
      }
    } else {
      c.calibrations().clear();
    }
    return Json.NODES.booleanNode(true);
  }

  private static List<Double> alphas(JsonNode n) {
    if (!Json.present(n)) {
      throw ApiError.badRequest("body.alpha: required, a number in (0, 1) or an array of them");
    }
    List<Double> out = new ArrayList<>();
    List<JsonNode> items = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(items::add);
      if (items.isEmpty()) {
        throw ApiError.badRequest("body.alpha: at least one level is needed");
      }
    } else {
      items.add(n);
    }
    for (int i = 0; i < items.size(); i++) {
      JsonNode a = items.get(i);
      if (!a.isNumber() || !(a.doubleValue() > 0 && a.doubleValue() < 1)) {
        throw ApiError.badRequest("body.alpha" + (n.isArray() ? "[" + i + "]" : "") + ": expected a number in (0, 1),"
            + " got " + a);
      }
      out.add(a.doubleValue());
    }
    return out;
  }

  private static CalibrationQuery query(Collection c, JsonNode n, String path, String using) {
    Json.object(n, path);
    Json.onlyFields(n, path, "query", "relevant");
    JsonNode q = n.get("query");
    if (!Json.present(q)) {
      throw ApiError.badRequest(path + ".query: required, a vector, a sparse vector, a Document or a point id");
    }
    JsonNode rel = n.get("relevant");
    if (rel == null || !rel.isArray() || rel.isEmpty()) {
      throw ApiError.badRequest(path + ".relevant: required, a non-empty array of point ids");
    }
    List<PointId> relevant = Json.pointIds(rel, path + ".relevant");
    SparseQuery.Target sparse = SparseQuery.target(c, q, path + ".query", using);
    if (sparse != null) {
      return sparse.vector() != null ? CalibrationQuery.sparse(sparse.vector(), relevant)
          : CalibrationQuery.near(sparse.near(), relevant);
    }
    if (q.isArray()) {
      return CalibrationQuery.dense(Json.vector(q, path + ".query"), relevant);
    }
    return CalibrationQuery.near(Json.pointId(q, path + ".query"), relevant);
  }

  private ObjectNode json(Calibration cal) {
    ObjectNode o = ep.json.createObjectNode();
    o.put("using", cal.field());
    if (cal.kind() == Calibration.Kind.SPARSE) {
      o.put("kind", "sparse");
    } else {
      o.put("kind", "dense").put("distance", ConfigCodec.distanceName(cal.metric())).put("size", cal.dimension());
    }
    o.put("higher_is_better", cal.largerBetter());
    o.put("queries", cal.queries()).put("pairs", cal.pairs()).put("unreachable", cal.unreachable());
    ArrayNode ts = o.putArray("thresholds");
    for (Calibration.Threshold t : cal.thresholds()) {
      ts.addObject().put("alpha", t.alpha()).put("score_threshold", t.score());
    }
    return o;
  }
}
