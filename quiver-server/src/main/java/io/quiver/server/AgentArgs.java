package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.quiver.QuiverException;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the arguments of {@code /quiver/agent} requests (AgentDB's MCP argument objects) with the JSON path of every
 * bad value in the 400, and puts the agent memory's own validation errors under the same paths.
 */
final class AgentArgs {
  /** An agent validation message that starts with a field path ({@code episodes[2].reward must ...}). */
  private static final Pattern FIELD_MESSAGE = Pattern.compile(
      "^([A-Za-z_]\\w*(?:\\[\\d+])?(?:\\.[A-Za-z_]\\w*(?:\\[\\d+])?)*)(?::\\s*|\\s+(?=must |is |a |give |required))(.*)$",
      Pattern.DOTALL);

  private AgentArgs() {}

  /**
   * Runs an agent memory call; its {@link QuiverException.InvalidInput} becomes a 400 whose field path is rooted at
   * {@code path} (the agent names fields as the request does, so {@code reward} becomes {@code body.reward}).
   */
  static <T> T call(String path, Supplier<T> op) {
    try {
      return op.get();
    } catch (QuiverException.InvalidInput e) {
      throw ApiError.badRequest(rooted(path, e.getMessage()));
    }
  }

  static String rooted(String path, String message) {
    Matcher m = FIELD_MESSAGE.matcher(message == null ? "" : message);
    return m.matches() ? path + "." + m.group(1) + ": " + m.group(2) : message;
  }

  static String text(JsonNode body, String field, String path, boolean required) {
    JsonNode n = body.get(field);
    if (!Json.present(n)) {
      if (required) {
        throw ApiError.badRequest(path + "." + field + ": required, a string");
      }
      return null;
    }
    if (!n.isTextual()) {
      throw ApiError.badRequest(path + "." + field + ": expected a string, got " + n);
    }
    return n.textValue();
  }

  static Double number(JsonNode body, String field, String path, Double dflt) {
    JsonNode n = body.get(field);
    if (!Json.present(n)) {
      return dflt;
    }
    if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
      throw ApiError.badRequest(path + "." + field + ": expected a number, got " + n);
    }
    return n.doubleValue();
  }

  /** A number in [0, 1] (reward, success rate, confidence). */
  static Double unit(JsonNode body, String field, String path, Double dflt) {
    Double v = number(body, field, path, dflt);
    if (v != null && !(v >= 0 && v <= 1)) {
      throw ApiError.badRequest(path + "." + field + ": must be between 0 and 1, got " + body.get(field));
    }
    return v;
  }

  static double requiredUnit(JsonNode body, String field, String path) {
    if (!Json.present(body.get(field))) {
      throw ApiError.badRequest(path + "." + field + ": required, a number between 0 and 1");
    }
    return unit(body, field, path, null);
  }

  static Long integer(JsonNode body, String field, String path, Long dflt, long min, long max) {
    JsonNode n = body.get(field);
    if (!Json.present(n)) {
      return dflt;
    }
    // AgentDB's schemas type counts as "number": accept 5.0, refuse 5.5
    if (!n.isNumber() || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < min
        || n.doubleValue() > max) {
      throw ApiError.badRequest(path + "." + field + ": expected an integer " + (max == Long.MAX_VALUE ? ">= " + min
          : "in " + min + ".." + max) + ", got " + n);
    }
    return n.longValue();
  }

  static int count(JsonNode body, String field, String path, int dflt, int min, int max) {
    return integer(body, field, path, (long) dflt, min, max).intValue();
  }

  static long requiredId(JsonNode body, String field, String path) {
    if (!Json.present(body.get(field))) {
      throw ApiError.badRequest(path + "." + field + ": required, an id");
    }
    return integer(body, field, path, null, 0, Long.MAX_VALUE);
  }

  static Boolean bool(JsonNode body, String field, String path, Boolean dflt) {
    JsonNode n = body.get(field);
    if (!Json.present(n)) {
      return dflt;
    }
    if (!n.isBoolean()) {
      throw ApiError.badRequest(path + "." + field + ": expected a boolean, got " + n);
    }
    return n.booleanValue();
  }

  static boolean requiredBool(JsonNode body, String field, String path) {
    if (!Json.present(body.get(field))) {
      throw ApiError.badRequest(path + "." + field + ": required, a boolean");
    }
    return bool(body, field, path, null);
  }

  static List<String> strings(JsonNode body, String field, String path) {
    JsonNode n = body.get(field);
    return Json.present(n) ? Json.strings(n, path + "." + field) : null;
  }

  static ObjectNode object(JsonNode body, String field, String path) {
    JsonNode n = body.get(field);
    if (!Json.present(n)) {
      return null;
    }
    if (!n.isObject()) {
      throw ApiError.badRequest(path + "." + field + ": expected an object, got " + n);
    }
    return (ObjectNode) n;
  }

  /** The non-empty array {@code field} of at most {@code max} objects. */
  static JsonNode array(JsonNode body, String field, String path, int max) {
    JsonNode n = body.get(field);
    if (n == null || !n.isArray() || n.isEmpty()) {
      throw ApiError.badRequest(path + "." + field + ": required, a non-empty array");
    }
    if (n.size() > max) {
      throw ApiError.badRequest(path + "." + field + ": " + n.size() + " entries exceed the limit of " + max
          + "; split the request");
    }
    for (int i = 0; i < n.size(); i++) {
      Json.object(n.get(i), path + "." + field + "[" + i + "]");
      if (!n.get(i).isObject()) {
        throw ApiError.badRequest(path + "." + field + "[" + i + "]: expected an object");
      }
    }
    return n;
  }

  /** The numeric id in path parameter {@code name}; 400 when it is not one. */
  static long pathId(ServerRequest req, String name) {
    String s = req.path().pathParameters().get(name);
    try {
      long v = Long.parseLong(s);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.badRequest(name + ": expected a non-negative integer id, got '" + s + "'");
  }

  /** Query parameter {@code name} as an integer in {@code min..max}, or {@code dflt}. */
  static int queryInt(ServerRequest req, String name, int dflt, int min, int max) {
    if (!req.query().contains(name)) {
      return dflt;
    }
    String s = req.query().get(name);
    try {
      int v = Integer.parseInt(s);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.badRequest(name + ": expected an integer in " + min + ".." + max + ", got '" + s + "'");
  }

  static String queryText(ServerRequest req, String name) {
    return req.query().contains(name) ? req.query().get(name) : null;
  }

  static Double queryNumber(ServerRequest req, String name) {
    if (!req.query().contains(name)) {
      return null;
    }
    String s = req.query().get(name);
    try {
      double v = Double.parseDouble(s);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.badRequest(name + ": expected a number, got '" + s + "'");
  }
}
