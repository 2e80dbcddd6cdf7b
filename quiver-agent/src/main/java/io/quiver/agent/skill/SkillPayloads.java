package io.quiver.agent.skill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.store.RecordCollection;
import io.quiver.collection.PointRecord;
import java.util.ArrayList;
import java.util.List;

/** A skill as a point payload and back. The fields and their indexes are listed in docs/format.md. */
final class SkillPayloads {
  static final String NAME = "name";
  static final String SUCCESS_RATE = "success_rate";
  static final String CREATED_AT = "created_at";
  static final String SOURCE_TASK = "source_task";

  private SkillPayloads() {}

  static ObjectNode toPayload(Skill s) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put(NAME, s.name());
    p.put("description", s.description());
    if (s.code() != null) {
      p.put("code", s.code());
    }
    if (s.signature() != null) {
      p.set("signature", s.signature().deepCopy());
    }
    p.set("metadata", s.metadata() == null ? JsonNodeFactory.instance.objectNode() : s.metadata().deepCopy());
    ArrayNode tags = p.putArray("tags");
    s.tags().forEach(tags::add);
    p.put(CREATED_AT, s.createdAt());
    p.put("uses", s.uses());
    p.put(SUCCESS_RATE, s.successRate());
    p.put("avg_reward", s.avgReward());
    p.put("avg_latency_ms", s.avgLatencyMs());
    p.put("latency_samples", s.latencySamples());
    if (s.sourceTask() != null) {
      p.put(SOURCE_TASK, s.sourceTask());
    }
    return p;
  }

  static Skill fromRecord(PointRecord r) {
    ObjectNode p = r.payload();
    List<String> tags = new ArrayList<>();
    p.path("tags").forEach(t -> tags.add(t.asText()));
    JsonNode sig = p.get("signature");
    JsonNode meta = p.get("metadata");
    return new Skill(RecordCollection.id(r), p.path(NAME).asText(), p.path("description").asText(),
        p.hasNonNull("code") ? p.get("code").asText() : null,
        sig instanceof ObjectNode o ? o : null,
        meta instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode(), tags,
        p.path(CREATED_AT).asLong(), p.path("uses").asLong(), p.path(SUCCESS_RATE).asDouble(),
        p.path("avg_reward").asDouble(), p.path("avg_latency_ms").asDouble(), p.path("latency_samples").asLong(),
        p.hasNonNull(SOURCE_TASK) ? p.get(SOURCE_TASK).asText() : null);
  }

  /** The text a skill is embedded from: name, description and signature, one per line. */
  static String embeddingText(String name, String description, ObjectNode signature) {
    return signature == null ? name + "\n" + description : name + "\n" + description + "\n" + signature;
  }

  /** {@code base} with {@code patch}'s keys set (or replaced by {@code patch} when {@code replace}). */
  static ObjectNode mergeMetadata(ObjectNode base, ObjectNode patch, boolean replace) {
    if (patch == null) {
      return base;
    }
    if (replace) {
      return patch.deepCopy();
    }
    ObjectNode out = base == null ? JsonNodeFactory.instance.objectNode() : base.deepCopy();
    patch.properties().forEach(e -> out.set(e.getKey(), e.getValue().deepCopy()));
    return out;
  }
}
