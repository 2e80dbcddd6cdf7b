package io.quiver.agent.pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.store.RecordCollection;
import io.quiver.collection.PointRecord;
import java.util.ArrayList;
import java.util.List;

/** A pattern as a point payload and back; fields and indexes are listed in docs/format.md. */
final class PatternPayloads {
  static final String TASK_TYPE = "task_type";
  static final String SUCCESS_RATE = "success_rate";
  static final String TAGS = "tags";
  static final String CREATED_AT = "created_at";

  private PatternPayloads() {}

  static ObjectNode toPayload(Pattern p) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put(TASK_TYPE, p.taskType()).put("approach", p.approach()).put(SUCCESS_RATE, p.successRate())
        .put("uses", p.uses()).put("avg_reward", p.avgReward()).put(CREATED_AT, p.createdAt());
    ArrayNode tags = o.putArray(TAGS);
    p.tags().forEach(tags::add);
    o.set("metadata", p.metadata() == null ? JsonNodeFactory.instance.objectNode() : p.metadata().deepCopy());
    return o;
  }

  static Pattern fromRecord(PointRecord r) {
    ObjectNode o = r.payload();
    List<String> tags = new ArrayList<>();
    o.path(TAGS).forEach(t -> tags.add(t.asText()));
    JsonNode meta = o.get("metadata");
    return new Pattern(RecordCollection.id(r), o.path(TASK_TYPE).asText(), o.path("approach").asText(),
        o.path(SUCCESS_RATE).asDouble(), o.path("uses").asLong(), o.path("avg_reward").asDouble(), tags,
        meta instanceof ObjectNode m ? m : JsonNodeFactory.instance.objectNode(), o.path(CREATED_AT).asLong());
  }

  /** The text a pattern is embedded from. */
  static String embeddingText(String taskType, String approach) {
    return taskType + "\n" + approach;
  }
}
