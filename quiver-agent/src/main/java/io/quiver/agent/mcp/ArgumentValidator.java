package io.quiver.agent.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks tool arguments against the subset of JSON Schema AgentDB's input schemas use: {@code type} (string, number,
 * integer, boolean, array, object, null; or a list of them), {@code required}, {@code properties}, {@code items},
 * {@code enum}, {@code minimum}/{@code maximum} and {@code minItems}/{@code maxItems}. Properties the schema does not
 * name are allowed. Each problem is one message that starts with the argument's path ({@code confidence},
 * {@code episodes[2].reward}).
 *
 * <p>A JSON null is treated as an absent property (clients send null for an unset optional argument), and the
 * schema's {@code default}s are filled in for absent properties before the check, so a handler reads every argument
 * that has a default without checking for it. A default thus satisfies {@code required}: AgentDB's schemas mark some
 * properties both required and defaulted ({@code successRate}, {@code config.learning_rate}) and AgentDB accepts calls
 * that omit them, which agents written for it rely on.
 */
public final class ArgumentValidator {
  private ArgumentValidator() {}

  /**
   * The arguments a handler receives: a copy of {@code args} without nulls and with defaults, or a
   * {@link InvalidArgumentsException} listing every problem.
   */
  public static ObjectNode validate(JsonNode args, ObjectNode schema) throws InvalidArgumentsException {
    if (args != null && !args.isNull() && !args.isObject()) {
      throw new InvalidArgumentsException(List.of("arguments: must be an object, not " + kind(args)));
    }
    ObjectNode copy = args == null || args.isNull() ? schema.objectNode() : ((ObjectNode) args).deepCopy();
    dropNulls(copy, schema);
    fillDefaults(copy, schema);
    List<String> problems = new ArrayList<>();
    check(copy, schema, "", problems);
    if (!problems.isEmpty()) {
      throw new InvalidArgumentsException(problems);
    }
    return copy;
  }

  /** Removes the properties whose value is null, in nested objects and array items too. */
  private static void dropNulls(JsonNode value, JsonNode schema) {
    if (value instanceof ObjectNode obj) {
      for (Iterator<Map.Entry<String, JsonNode>> it = obj.properties().iterator(); it.hasNext(); ) {
        if (it.next().getValue().isNull()) {
          it.remove();
        }
      }
      for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
        if (obj.has(p.getKey())) {
          dropNulls(obj.get(p.getKey()), p.getValue());
        }
      }
    } else if (value instanceof ArrayNode arr && schema.has("items")) {
      arr.forEach(element -> dropNulls(element, schema.get("items")));
    }
  }

  /** Sets each absent property that has a default, in nested objects and array items too. */
  private static void fillDefaults(JsonNode value, JsonNode schema) {
    if (value instanceof ObjectNode obj) {
      for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
        JsonNode present = obj.get(p.getKey());
        if (present == null && p.getValue().has("default")) {
          obj.set(p.getKey(), p.getValue().get("default").deepCopy());
        } else if (present != null) {
          fillDefaults(present, p.getValue());
        }
      }
    } else if (value instanceof ArrayNode arr && schema.has("items")) {
      arr.forEach(element -> fillDefaults(element, schema.get("items")));
    }
  }

  private static void check(JsonNode value, JsonNode schema, String path, List<String> problems) {
    if (!hasType(value, schema.get("type"))) {
      problems.add(at(path) + "must be " + typeName(schema.get("type")) + ", not " + kind(value));
      return;
    }
    JsonNode allowed = schema.get("enum");
    if (allowed != null && allowed.isArray() && !contains(allowed, value)) {
      List<String> names = new ArrayList<>();
      allowed.forEach(a -> names.add(a.isTextual() ? a.asText() : a.toString()));
      problems.add(at(path) + "must be one of " + String.join(", ", names) + ", not " + value);
    }
    if (value.isNumber()) {
      checkRange(value.decimalValue(), schema, path, problems);
    }
    if (value instanceof ArrayNode arr) {
      checkSize(arr.size(), schema, path, problems);
      JsonNode items = schema.get("items");
      if (items != null && items.isObject()) {
        for (int i = 0; i < arr.size(); i++) {
          check(arr.get(i), items, path + "[" + i + "]", problems);
        }
      }
    }
    if (value instanceof ObjectNode obj) {
      for (JsonNode r : schema.path("required")) {
        if (!obj.has(r.asText())) {
          problems.add(child(path, r.asText()) + ": is required");
        }
      }
      for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
        JsonNode v = obj.get(p.getKey());
        if (v != null) {
          check(v, p.getValue(), child(path, p.getKey()), problems);
        }
      }
    }
  }

  private static void checkRange(BigDecimal v, JsonNode schema, String path, List<String> problems) {
    BigDecimal min = schema.has("minimum") ? schema.get("minimum").decimalValue() : null;
    BigDecimal max = schema.has("maximum") ? schema.get("maximum").decimalValue() : null;
    boolean low = min != null && v.compareTo(min) < 0;
    boolean high = max != null && v.compareTo(max) > 0;
    if (!low && !high) {
      return;
    }
    String bound = min != null && max != null ? "between " + plain(min) + " and " + plain(max)
        : min != null ? "at least " + plain(min) : "at most " + plain(max);
    problems.add(at(path) + "must be " + bound + ", not " + plain(v));
  }

  private static void checkSize(int size, JsonNode schema, String path, List<String> problems) {
    if (schema.has("minItems") && size < schema.get("minItems").asInt()) {
      problems.add(at(path) + "must have at least " + schema.get("minItems").asInt() + " item(s), not " + size);
    }
    if (schema.has("maxItems") && size > schema.get("maxItems").asInt()) {
      problems.add(at(path) + "must have at most " + schema.get("maxItems").asInt() + " item(s), not " + size);
    }
  }

  private static boolean hasType(JsonNode value, JsonNode type) {
    if (type == null) {
      return true;
    }
    if (type.isArray()) {
      for (JsonNode t : type) {
        if (isType(value, t.asText())) {
          return true;
        }
      }
      return false;
    }
    return isType(value, type.asText());
  }

  private static boolean isType(JsonNode value, String type) {
    return switch (type) {
      case "string" -> value.isTextual();
      case "number" -> value.isNumber();
      // JSON Schema counts 2.0 as an integer: any number without a fractional part
      case "integer" -> value.isIntegralNumber()
          || (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0);
      case "boolean" -> value.isBoolean();
      case "array" -> value.isArray();
      case "object" -> value.isObject();
      case "null" -> value.isNull();
      default -> true; // a type this validator does not know constrains nothing
    };
  }

  private static boolean contains(JsonNode allowed, JsonNode value) {
    for (JsonNode a : allowed) {
      if (a.equals(value) || (a.isNumber() && value.isNumber() && a.decimalValue().compareTo(value.decimalValue()) == 0)) {
        return true;
      }
    }
    return false;
  }

  private static String typeName(JsonNode type) {
    if (type.isArray()) {
      List<String> names = new ArrayList<>();
      type.forEach(t -> names.add(article(t.asText())));
      return String.join(" or ", names);
    }
    return article(type.asText());
  }

  private static String article(String type) {
    return switch (type) {
      case "integer", "array", "object" -> "an " + type;
      case "null" -> "null";
      default -> "a " + type;
    };
  }

  private static String kind(JsonNode v) {
    return switch (v.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case NULL, MISSING -> "null";
      case BINARY -> "binary";
    };
  }

  private static String plain(BigDecimal d) {
    return d.stripTrailingZeros().toPlainString();
  }

  private static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static String at(String path) {
    return (path.isEmpty() ? "arguments" : path) + ": ";
  }

  /** Arguments that do not fit the tool's input schema: one message per problem. */
  public static final class InvalidArgumentsException extends Exception {
    private final List<String> problems;

    InvalidArgumentsException(List<String> problems) {
      super(String.join("; ", problems), null, false, false);
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }
}
