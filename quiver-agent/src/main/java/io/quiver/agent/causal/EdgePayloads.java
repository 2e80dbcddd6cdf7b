package io.quiver.agent.causal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.store.RecordCollection;
import io.quiver.collection.PointRecord;

/** A causal edge as a point payload and back; fields and indexes are listed in docs/format.md. */
final class EdgePayloads {
  static final String CAUSE = "cause_key";
  static final String EFFECT = "effect_key";
  static final String UPLIFT = "uplift";
  static final String ABS_UPLIFT = "abs_uplift";
  static final String CONFIDENCE = "confidence";
  static final String SAMPLE_SIZE = "sample_size";
  static final String SOURCE = "source";

  private EdgePayloads() {}

  static ObjectNode toPayload(CausalEdge e) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put(CAUSE, e.cause().key()).put(EFFECT, e.effect().key()).put("cause", e.cause().display())
        .put("effect", e.effect().display()).put(UPLIFT, e.uplift()).put(ABS_UPLIFT, Math.abs(e.uplift()))
        .put(CONFIDENCE, e.confidence()).put("strength", e.strength()).put(SAMPLE_SIZE, e.sampleSize())
        .put(SOURCE, e.source()).put("created_at", e.createdAt());
    if (e.ciLow() != null) {
      p.put("ci_low", e.ciLow()).put("ci_high", e.ciHigh());
    }
    return p;
  }

  static CausalEdge fromRecord(PointRecord r) {
    ObjectNode p = r.payload();
    return new CausalEdge(RecordCollection.id(r), CausalNode.fromKey(p.path(CAUSE).asText()),
        CausalNode.fromKey(p.path(EFFECT).asText()), p.path(UPLIFT).asDouble(), p.path(CONFIDENCE).asDouble(),
        p.path(SAMPLE_SIZE).asLong(), p.hasNonNull("ci_low") ? p.get("ci_low").asDouble() : null,
        p.hasNonNull("ci_high") ? p.get("ci_high").asDouble() : null, p.path(SOURCE).asText(),
        p.path("created_at").asLong());
  }
}
