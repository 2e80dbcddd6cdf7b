package io.quiver.agent.mcp.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.mcp.ToolException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one tool call's arguments, already checked against the tool's schema (types, required, enums, defaults):
 * what the schema cannot say (an integer where AgentDB's schema says number, a count of at least 1) is checked here,
 * with a {@link ToolException} naming the argument.
 */
final class Args {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final ObjectNode args;
  private final String prefix;

  private Args(ObjectNode args, String prefix) {
    this.args = args;
    this.prefix = prefix;
  }

  static Args of(ObjectNode args) {
    return new Args(args, "");
  }

  /** The object at {@code name} (absent: an empty one), whose errors are named {@code name.field}. */
  Args object(String name) {
    JsonNode n = args.get(name);
    return new Args(n instanceof ObjectNode o ? o : MAPPER.createObjectNode(), prefix + name + ".");
  }

  /** The objects of the array {@code name}, whose errors are named {@code name[i].field}. */
  List<Args> objects(String name) {
    List<Args> out = new ArrayList<>();
    JsonNode n = args.get(name);
    if (n instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (!(a.get(i) instanceof ObjectNode o)) {
          throw bad(name + "[" + i + "]", "must be an object");
        }
        out.add(new Args(o, prefix + name + "[" + i + "]."));
      }
    }
    return out;
  }

  boolean has(String name) {
    JsonNode n = args.get(name);
    return n != null && !n.isNull();
  }

  String str(String name) {
    return has(name) ? args.get(name).asText() : null;
  }

  Double dbl(String name) {
    return has(name) ? args.get(name).asDouble() : null;
  }

  double dbl(String name, double absent) {
    return has(name) ? args.get(name).asDouble() : absent;
  }

  Boolean bool(String name) {
    return has(name) ? args.get(name).asBoolean() : null;
  }

  boolean bool(String name, boolean absent) {
    return has(name) ? args.get(name).asBoolean() : absent;
  }

  /** A whole number (AgentDB's schemas type ids and counts as number), or null. */
  Long whole(String name) {
    if (!has(name)) {
      return null;
    }
    JsonNode n = args.get(name);
    double v = n.asDouble();
    if (!n.isNumber() || v != Math.rint(v) || Math.abs(v) > 9.007199254740992E15) {
      throw bad(name, "must be a whole number, got " + n);
    }
    return (long) v;
  }

  /** A whole number in [min, max]; {@code absent} when not given. */
  int count(String name, int absent, int min, int max) {
    Long v = whole(name);
    if (v == null) {
      return absent;
    }
    if (v < min || v > max) {
      throw bad(name, "must be in " + min + ".." + max + ", got " + v);
    }
    return v.intValue();
  }

  /** A required non-negative id. */
  long id(String name) {
    Long v = whole(name);
    if (v == null) {
      throw bad(name, "is required");
    }
    if (v < 0) {
      throw bad(name, "must be >= 0, got " + v);
    }
    return v;
  }

  List<String> strings(String name) {
    if (!has(name)) {
      return null;
    }
    List<String> out = new ArrayList<>();
    JsonNode a = args.get(name);
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).isTextual()) {
        throw bad(name + "[" + i + "]", "must be a string");
      }
      out.add(a.get(i).asText());
    }
    return out;
  }

  List<Long> ids(String name) {
    List<Long> out = new ArrayList<>();
    JsonNode a = args.get(name);
    for (int i = 0; a != null && i < a.size(); i++) {
      JsonNode n = a.get(i);
      if (!n.isIntegralNumber() && !(n.isNumber() && n.asDouble() == Math.rint(n.asDouble())) || n.asLong() < 0) {
        throw bad(name + "[" + i + "]", "must be a non-negative whole number, got " + n);
      }
      out.add(n.asLong());
    }
    return out;
  }

  ObjectNode obj(String name) {
    JsonNode n = args.get(name);
    return n instanceof ObjectNode o ? o.deepCopy() : null;
  }

  ToolException bad(String name, String message) {
    return new ToolException(prefix + name + ": " + message);
  }

  /** A value as JSON (records become objects with their components). */
  static JsonNode json(Object value) {
    return MAPPER.valueToTree(value);
  }
}
