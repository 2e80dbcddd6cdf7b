package io.quiver.agent.episode;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.collection.PointRecord;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.text.DenseTextModel;
import java.io.IOException;
import java.util.Map;

/**
 * The episode store's own record, one point in collection {@value #COLLECTION}: the format version, the embedder the
 * vectors were made with (name and dimension: opening with another is refused, since its vectors would not be
 * comparable), and a floor for the next episode id.
 *
 * <p>Ids: the next id is {@code max(floor, largest stored id + 1)}. Inserts do not touch the floor (they raise the
 * largest stored id in the same durable write that stores them); a delete first raises the floor durably past every id
 * allocated so far, so an id whose episode was deleted is never handed out again, even after a reopen.
 */
final class EpisodeMeta {
  static final String COLLECTION = "agent_episodes_meta";
  static final int FORMAT = 1;
  private static final PointId POINT = PointId.of(1);
  private static final String VECTOR = "meta";

  private final Collection collection;
  private long floor;

  private EpisodeMeta(Collection collection, long floor) {
    this.collection = collection;
    this.floor = floor;
  }

  /** Opens (or creates) the record, checking it against {@code embedder}. */
  static EpisodeMeta open(Quiver db, DenseTextModel embedder) throws IOException {
    Collection c = db.exists(COLLECTION) ? db.collection(COLLECTION)
        : db.createCollection(COLLECTION, CollectionConfig.builder().vector(VECTOR, VectorParams.of(1, Metric.DOT))
            .build());
    PointRecord r = c.get(POINT);
    if (r == null) {
      EpisodeMeta m = new EpisodeMeta(c, 1);
      m.write(embedder.name(), embedder.dimension(), 1);
      return m;
    }
    ObjectNode p = r.payload();
    int format = p.path("format").asInt();
    if (format != FORMAT) {
      throw new QuiverException("episode store format " + format + " is not supported (this version reads "
          + FORMAT + ")");
    }
    String name = p.path("embedder").asText();
    int dimension = p.path("dimension").asInt();
    if (!name.equals(embedder.name()) || dimension != embedder.dimension()) {
      throw new QuiverException.InvalidInput("the episode store was written with embedder " + name + " ("
          + dimension + " dimensions); it cannot be opened with " + embedder.name() + " (" + embedder.dimension()
          + " dimensions)");
    }
    return new EpisodeMeta(c, p.path("next_id").asLong(1));
  }

  long floor() {
    return floor;
  }

  /** Durably raises the floor to {@code next} (no write when it is there already). */
  synchronized void raiseFloor(long next, DenseTextModel embedder) {
    if (next > floor) {
      write(embedder.name(), embedder.dimension(), next);
      floor = next;
    }
  }

  private void write(String embedder, int dimension, long next) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put("format", FORMAT);
    p.put("embedder", embedder);
    p.put("dimension", dimension);
    p.put("next_id", next);
    collection.upsert(new Point(POINT, Map.of(VECTOR, new float[] {1f}), p));
  }
}
