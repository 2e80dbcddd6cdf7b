package io.quiver.collection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.distance.Metric;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;

/**
 * Child JVM for {@link CollectionCrashTest}: writes and deletes points in a loop until killed. Before each call it
 * prints {@code W U <version> <ids>} or {@code W D <ids>}, and {@code A} once the call returned (acknowledged).
 * A point's vector and payload are functions of (id, version), so the parent can rebuild exactly what was written.
 */
public final class CollectionCrashChild {
  static final int DIM = 16;
  static final ObjectMapper JSON = new ObjectMapper();

  /** Small seal and merge thresholds, so that sealing and merging run while the child is killed. */
  static CollectionConfig config(boolean diskSegments) {
    VectorParams vectors = VectorParams.of(DIM, Metric.L2);
    return CollectionConfig.builder().vector(DENSE, diskSegments ? vectors.withDiskIndex(true) : vectors)
        .vector(MULTI, VectorParams.of(MULTI_DIM, Metric.DOT).withMultivector(MultiVectorConfig.MAX_SIM))
        .sealThreshold(400).mergeThreshold(1000)
        .sparseVector(SPARSE, SparseVectorParams.of(SparseVectorParams.Modifier.IDF)).build();
  }

  static final String DENSE = "d";
  static final String SPARSE = "s";
  static final String MULTI = "mv";
  static final int MULTI_DIM = 4;

  /** The multi-vector of (id, version): 1 to 4 vectors back to back; none for one in five versions. */
  static float[] multi(long id, long version) {
    Random r = new Random(id * 9_000_011L + version);
    if (r.nextInt(5) == 0) {
      return null;
    }
    float[] v = new float[(1 + r.nextInt(4)) * MULTI_DIM];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return v;
  }

  /** The sparse vector of (id, version), sorted by index; none for one in five versions. */
  static SparseVector sparse(long id, long version) {
    Random r = new Random(id * 7_000_003L + version);
    if (r.nextInt(5) == 0) {
      return null;
    }
    int[] idx = r.ints(0, 300).distinct().limit(1 + r.nextInt(20)).sorted().toArray();
    float[] val = new float[idx.length];
    for (int i = 0; i < val.length; i++) {
      val[i] = r.nextFloat();
    }
    return new SparseVector(idx, val);
  }

  /** A point with only the dense vector of (id, version). */
  static Point densePoint(long id, long version, ObjectNode payload) {
    return new Point(PointId.of(id), Map.of(DENSE, vector(id, version)), payload);
  }

  static Point point(long id, long version) {
    SparseVector s = sparse(id, version);
    float[] m = multi(id, version);
    return new Point(PointId.of(id), m == null ? Map.of(DENSE, vector(id, version))
        : Map.of(DENSE, vector(id, version), MULTI, m), payload(id, version), s == null ? Map.of() : Map.of(SPARSE, s));
  }

  static float[] vector(long id, long version) {
    Random r = new Random(id * 1_000_003L + version);
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return v;
  }

  static ObjectNode payload(long id, long version) {
    ObjectNode p = JSON.createObjectNode().put("id", id).put("version", version);
    p.putArray("tags").add("t" + (id % 7)).add("v" + (version % 3));
    p.put("text", "x".repeat((int) ((id * 7 + version) % 200)));
    return p;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int idSpace = Integer.parseInt(args[2]);
    boolean diskSegments = args.length > 3 && args[3].equals("disk");
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
    Random rnd = new Random(seed);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.exists("crash") ? db.collection("crash") : db.createCollection("crash", config(diskSegments));
      out.println("READY " + c.count());
      for (long op = 0; ; op++) {
        long version = seed * 1_000_000 + op;
        List<Long> ids = new ArrayList<>();
        for (int i = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 200 : 12); i > 0; i--) {
          ids.add((long) rnd.nextInt(idSpace));
        }
        StringJoiner j = new StringJoiner(",");
        ids.forEach(id -> j.add(Long.toString(id)));
        if (rnd.nextInt(6) == 0) {
          out.println("W D " + j);
          c.delete(ids.stream().map(PointId::of).toList());
        } else {
          out.println("W U " + version + " " + j);
          List<Point> points = new ArrayList<>();
          for (long id : ids) {
            points.add(point(id, version));
          }
          c.upsert(points);
        }
        out.println("A");
      }
    }
  }
}
