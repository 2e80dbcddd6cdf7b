package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.calibration.Calibration;
import io.quiver.collection.Collection;

/**
 * Quiver's {@code params.quiver_conformal_alpha}: a search or query of a vector field uses the score threshold
 * calibrated for that field and alpha ({@code /quiver/collections/{c}/calibration}) as its {@code score_threshold},
 * so it returns every point scoring past it, up to {@code limit}: a variable number of results. It sits in
 * {@code params}, which Qdrant's REST clients pass through as JSON.
 */
final class CalibratedThreshold {
  static final String PARAM = "quiver_conformal_alpha";

  private CalibratedThreshold() {}

  /** The alpha {@code body} asks for (at {@code path}), or null. */
  static Double alpha(ObjectNode body, String path) {
    JsonNode params = body.get("params");
    JsonNode a = params != null && params.isObject() ? params.get(PARAM) : null;
    if (!Json.present(a)) {
      return null;
    }
    if (!a.isNumber() || !(a.doubleValue() > 0 && a.doubleValue() < 1)) {
      throw ApiError.badRequest(path + ".params." + PARAM + ": expected a number in (0, 1), got " + a);
    }
    return a.doubleValue();
  }

  /**
   * The score threshold of {@code body}: its {@code score_threshold}, or the one calibrated for field {@code using}
   * at the alpha it asks for; 400 naming the path when both are given, the field has no calibration, or not at that
   * alpha.
   */
  static Float scoreThreshold(Collection c, String using, ObjectNode body, String path) {
    Float explicit = Json.floatField(body, "score_threshold", path);
    Double alpha = alpha(body, path);
    if (alpha == null) {
      return explicit;
    }
    String at = path + ".params." + PARAM;
    if (explicit != null) {
      throw ApiError.badRequest(at + ": give score_threshold or " + PARAM + ", not both");
    }
    Calibration cal = c.calibrations().get(using);
    if (cal == null) {
      throw ApiError.badRequest(at + ": vector '" + using + "' of collection " + c.name() + " is not calibrated;"
          + " POST /quiver/collections/" + c.name() + "/calibration first");
    }
    Calibration.Threshold t = cal.threshold(alpha);
    if (t == null) {
      throw ApiError.badRequest(at + ": alpha " + alpha + " is not calibrated for vector '" + using + "'; calibrated: "
          + cal.thresholds().stream().map(Calibration.Threshold::alpha).toList());
    }
    return t.score();
  }

  /** 400 when {@code body} asks for a calibrated threshold where none applies ({@code what} says where). */
  static void refuse(ObjectNode body, String path, String what) {
    if (alpha(body, path) != null) {
      throw ApiError.badRequest(path + ".params." + PARAM + ": not supported " + what
          + "; use it with a query by vector or point id");
    }
  }
}
