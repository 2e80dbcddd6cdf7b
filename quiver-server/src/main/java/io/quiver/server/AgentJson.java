package io.quiver.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.quiver.agent.causal.CausalNode;
import io.quiver.agent.learning.SessionType;
import java.io.IOException;
import java.util.Map;

/**
 * The agent memory's values as JSON: records by their components in snake_case (the names AgentDB's tools use), a
 * causal node as the event's name or {@code {type, id}} for a stored memory (as {@link AgentCausalEndpoints#node} reads them), a
 * session type by its wire name.
 */
final class AgentJson {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .addModule(new SimpleModule("quiver-agent")
          .addSerializer(CausalNode.class, new NodeSerializer())
          .addSerializer(SessionType.class, new TypeSerializer()))
      .build();

  private AgentJson() {}

  /** {@code value} as JSON; a NaN or infinite number (a residual not yet known) becomes null, as JSON has none. */
  static JsonNode tree(Object value) {
    return finite(MAPPER.valueToTree(value));
  }

  private static JsonNode finite(JsonNode n) {
    if (n instanceof ObjectNode o) {
      for (var e : o.properties()) {
        if (e.getValue().isFloatingPointNumber() && !Double.isFinite(e.getValue().doubleValue())) {
          e.setValue(NullNode.instance);
        } else {
          finite(e.getValue());
        }
      }
    } else if (n instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i).isFloatingPointNumber() && !Double.isFinite(a.get(i).doubleValue())) {
          a.set(i, NullNode.instance);
        } else {
          finite(a.get(i));
        }
      }
    }
    return n;
  }

  /** A plain JSON object (a session config) as the map the agent API takes. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> map(JsonNode object) {
    return MAPPER.convertValue(object, Map.class);
  }

  private static final class NodeSerializer extends StdSerializer<CausalNode> {
    NodeSerializer() {
      super(CausalNode.class);
    }

    @Override
    public void serialize(CausalNode n, JsonGenerator g, SerializerProvider p) throws IOException {
      switch (n) {
        case CausalNode.Event e -> g.writeString(e.name());
        case CausalNode.Memory m -> {
          g.writeStartObject();
          g.writeStringField("type", m.type());
          g.writeNumberField("id", m.id());
          g.writeEndObject();
        }
      }
    }
  }

  private static final class TypeSerializer extends StdSerializer<SessionType> {
    TypeSerializer() {
      super(SessionType.class);
    }

    @Override
    public void serialize(SessionType t, JsonGenerator g, SerializerProvider p) throws IOException {
      g.writeString(t.wireName());
    }
  }
}
