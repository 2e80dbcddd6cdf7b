package io.quiver.agent.skill;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.agent.store.RecordCollection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.collection.PointRecord;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.payload.FieldSchema;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Links between skills in the vectorless collection {@value #COLLECTION}, indexed on both ends. A link's point id is
 * a name-based UUID of (parent, child, relationship), so linking the same triple again overwrites it.
 */
final class SkillLinks {
  static final String COLLECTION = "agent_skill_links";
  private static final String PARENT = "parent_id";
  private static final String CHILD = "child_id";

  private final RecordCollection store;

  private SkillLinks(RecordCollection store) {
    this.store = store;
  }

  static SkillLinks open(Quiver db) {
    CollectionConfig config = RecordCollection.vectorless().payloadIndex(PARENT, FieldSchema.INTEGER)
        .payloadIndex(CHILD, FieldSchema.INTEGER).payloadIndex("relationship", FieldSchema.KEYWORD).build();
    return new SkillLinks(RecordCollection.open(db, COLLECTION, "skill_link", config));
  }

  private static PointId idOf(long parent, long child, String relationship) {
    return new PointId.Uuid(UUID.nameUUIDFromBytes((parent + "\u0000" + child + "\u0000" + relationship)
        .getBytes(StandardCharsets.UTF_8)));
  }

  void put(SkillLink l) {
    ObjectNode p = JsonNodeFactory.instance.objectNode().put(PARENT, l.parentId()).put(CHILD, l.childId())
        .put("relationship", l.relationship()).put("weight", l.weight());
    store.collection().upsert(List.of(new Point(idOf(l.parentId(), l.childId(), l.relationship()), Map.of(), p)));
  }

  boolean delete(long parent, long child, String relationship) {
    return store.collection().delete(List.of(idOf(parent, child, relationship))) > 0;
  }

  /** Links with {@code id} at either end, ordered by parent, child, relationship. */
  List<SkillLink> of(long id) {
    Filter f = new Filter(List.of(), List.of(match(PARENT, id), match(CHILD, id)),
        List.of(new Condition.HasId(Set.of(RecordCollection.META_ID))), null);
    return store.scrollAll(f).stream().map(SkillLinks::fromRecord)
        .sorted(Comparator.comparingLong(SkillLink::parentId).thenComparingLong(SkillLink::childId)
            .thenComparing(SkillLink::relationship)).toList();
  }

  /** Deletes every link with {@code id} at either end, in one durable write. */
  void deleteAll(long id) {
    store.collection().delete(new Filter(List.of(), List.of(match(PARENT, id), match(CHILD, id)), List.of(), null));
  }

  private static Condition match(String key, long value) {
    return new Condition.Match(key, JsonNodeFactory.instance.numberNode(value));
  }

  private static SkillLink fromRecord(PointRecord r) {
    ObjectNode p = r.payload();
    return new SkillLink(p.path(PARENT).asLong(), p.path(CHILD).asLong(), p.path("relationship").asText(),
        p.path("weight").asDouble());
  }
}
