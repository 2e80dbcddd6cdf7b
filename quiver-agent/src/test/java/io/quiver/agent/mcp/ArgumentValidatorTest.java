package io.quiver.agent.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.mcp.ArgumentValidator.InvalidArgumentsException;
import io.quiver.testing.RandomizedTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ArgumentValidatorTest extends RandomizedTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ToolCatalog CATALOG = ToolCatalog.agentDb();

  private static ObjectNode schema(String tool) {
    return ToolCatalog.validationSchema(CATALOG.tool(tool).inputSchema());
  }

  private static List<String> problems(String tool, String argsJson) throws Exception {
    try {
      ArgumentValidator.validate(MAPPER.readTree(argsJson), schema(tool));
      return List.of();
    } catch (InvalidArgumentsException e) {
      return e.problems();
    }
  }

  @Test
  void namesTheArgumentOfEachProblem() throws Exception {
    assertThat(problems("causal_add_edge", "{\"cause\":\"a\",\"effect\":\"b\",\"uplift\":0.1,\"confidence\":5}"))
        .containsExactly("confidence: must be between 0 and 1, not 5");
    assertThat(problems("reflexion_store", "{\"session_id\":\"s\",\"task\":\"t\",\"success\":\"yes\"}"))
        .containsExactly("reward: is required", "success: must be a boolean, not a string");
    assertThat(problems("agentdb_list", "{\"order\":\"sideways\"}"))
        .containsExactly("order: must be one of newest, oldest, not \"sideways\"");
    assertThat(problems("agentdb_skill_feedback", "{\"skill_id\":1.5}"))
        .containsExactly("skill_id: must be an integer, not a number");
    assertThat(problems("agentdb_search", "{\"query\":\"q\",\"k\":0}")).containsExactly("k: must be between 1 and 100, not 0");
    assertThat(problems("agentdb_delete_batch", "{\"ids\":[]}"))
        .containsExactly("ids: must have at least 1 item(s), not 0");
    assertThat(problems("reflexion_store_batch", "{\"episodes\":[{\"session_id\":\"s\",\"task\":\"t\",\"reward\":2,"
        + "\"success\":true},{\"task\":3}]}")).contains("episodes[0].reward: must be between 0 and 1, not 2",
        "episodes[1].task: must be a string, not a number", "episodes[1].session_id: is required");
    assertThat(problems("db_stats", "[1]")).containsExactly("arguments: must be an object, not an array");
  }

  @Test
  void dropsNullsFillsDefaultsAndKeepsExtraProperties() throws Exception {
    ObjectNode args = ArgumentValidator.validate(MAPPER.readTree(
        "{\"task\":\"t\",\"k\":null,\"extra\":{\"x\":1},\"only_failures\":null}"), schema("reflexion_retrieve"));
    assertThat(args.get("k").asInt()).as("k's default").isEqualTo(5);
    assertThat(args.has("only_failures")).isFalse();
    assertThat(args.get("extra")).isEqualTo(MAPPER.readTree("{\"x\":1}"));
    assertThat(problems("reflexion_retrieve", "{\"task\":null}")).containsExactly("task: is required");
    ObjectNode nested = ArgumentValidator.validate(MAPPER.readTree(
        "{\"user_id\":\"u\",\"session_type\":\"sarsa\",\"config\":{}}"), schema("learning_start_session"));
    assertThat(nested.at("/config/discount_factor").asDouble()).isEqualTo(0.99);
    assertThat(ArgumentValidator.validate(MAPPER.readTree("{\"taskType\":\"t\",\"approach\":\"a\"}"),
        schema("agentdb_pattern_store")).get("successRate").asDouble())
        .as("a required property with a default may be left out, as AgentDB allows").isZero();
  }

  @Test
  void integralNumbersAreIntegers() throws Exception {
    assertThat(problems("agentdb_pattern_feedback", "{\"pattern_id\":3.0}")).isEmpty();
    assertThat(problems("agentdb_pattern_feedback", "{\"pattern_id\":-1}"))
        .containsExactly("pattern_id: must be at least 0, not -1");
  }

  /**
   * For every catalogued tool: random arguments that fit its schema pass, and each single defect (a required
   * argument missing, a value of the wrong type, a number past a bound) is reported under that argument's name.
   */
  @Test
  void randomArgumentsOfEveryToolPassAndEachDefectIsNamed() throws Exception {
    Random rnd = random();
    int rounds = atLeast(20);
    int defects = 0;
    for (int round = 0; round < rounds; round++) {
      for (McpTool tool : CATALOG.tools()) {
        ObjectNode schema = ToolCatalog.validationSchema(tool.inputSchema());
        ObjectNode valid = (ObjectNode) validValue(schema, rnd);
        assertThat(problems(tool.name(), valid.toString())).as("%s %s", tool.name(), valid).isEmpty();
        List<String> names = new ArrayList<>();
        schema.path("properties").properties().forEach(p -> names.add(p.getKey()));
        if (names.isEmpty()) {
          continue;
        }
        String name = names.get(rnd.nextInt(names.size()));
        JsonNode prop = schema.path("properties").get(name);
        ObjectNode bad = valid.deepCopy();
        String expected;
        int kind = rnd.nextInt(3);
        if (kind == 0 && contains(schema.path("required"), name) && !prop.has("default")) {
          bad.remove(name);
          expected = name + ": is required";
        } else if (kind == 1 && (prop.has("minimum") || prop.has("maximum"))) {
          double v = prop.has("maximum") ? prop.get("maximum").asDouble() + 1 + rnd.nextInt(100)
              : prop.get("minimum").asDouble() - 1 - rnd.nextInt(100);
          bad.put(name, v);
          expected = name + ": must be ";
        } else {
          bad.set(name, "string".equals(prop.path("type").asText()) ? JSON.numberNode(7) : JSON.textNode("x"));
          expected = name + ": must be ";
        }
        assertThat(problems(tool.name(), bad.toString())).as("%s %s", tool.name(), bad)
            .anySatisfy(p -> assertThat(p).startsWith(expected));
        defects++;
      }
    }
    assertThat(defects).isGreaterThan(rounds * 40);
  }

  private static boolean contains(JsonNode array, String s) {
    for (JsonNode n : array) {
      if (n.asText().equals(s)) {
        return true;
      }
    }
    return false;
  }

  /** A random value that fits the schema: required properties always, optional ones at random. */
  private static JsonNode validValue(JsonNode schema, Random rnd) {
    if (schema.has("enum")) {
      return schema.get("enum").get(rnd.nextInt(schema.get("enum").size()));
    }
    String type = schema.path("type").asText("object");
    return switch (type) {
      case "string" -> JSON.textNode("s" + rnd.nextInt(1000));
      case "boolean" -> JSON.booleanNode(rnd.nextBoolean());
      case "integer", "number" -> {
        double lo = schema.has("minimum") ? schema.get("minimum").asDouble() : -50;
        double hi = schema.has("maximum") ? schema.get("maximum").asDouble() : lo + 100;
        yield type.equals("integer") ? JSON.numberNode((long) Math.ceil(lo) + rnd.nextInt((int) (hi - Math.ceil(lo)) + 1))
            : JSON.numberNode(lo + rnd.nextDouble() * (hi - lo));
      }
      case "array" -> {
        ArrayNode a = JSON.arrayNode();
        int n = Math.max(schema.path("minItems").asInt(0), rnd.nextInt(4));
        for (int i = 0; i < n; i++) {
          a.add(schema.has("items") ? validValue(schema.get("items"), rnd) : JSON.textNode("x"));
        }
        yield a;
      }
      default -> {
        ObjectNode o = JSON.objectNode();
        for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
          if (contains(schema.path("required"), p.getKey()) || rnd.nextBoolean()) {
            o.set(p.getKey(), validValue(p.getValue(), rnd));
          }
        }
        yield o;
      }
    };
  }

  @Test
  void aSchemaWithATypeListAcceptsAnyOfThem() throws Exception {
    ObjectNode s = (ObjectNode) MAPPER.readTree("{\"type\":\"object\",\"properties\":{\"v\":{\"type\":[\"string\",\"null\"]}}}");
    assertThat(ArgumentValidator.validate(MAPPER.readTree("{\"v\":\"a\"}"), s).get("v").asText()).isEqualTo("a");
    assertThatThrownBy(() -> ArgumentValidator.validate(MAPPER.readTree("{\"v\":1}"), s))
        .hasMessage("v: must be a string or null, not a number");
  }
}
