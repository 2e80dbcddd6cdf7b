package io.quiver.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.filter.Filter;
import io.quiver.filter.FilterParser;
import io.quiver.storage.CorruptFileException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.roaringbitmap.RoaringBitmap;

/**
 * Measures (does not assert) filter evaluation with and without payload indexes, and reading a serialized index, on
 * 100,000 in-memory payloads. Run with:
 * {@code ./mvnw -B -o -pl quiver-core verify -Dtest=PayloadIndexMeasurement -Dquiver.measure=true}
 */
@EnabledIfSystemProperty(named = "quiver.measure", matches = "true")
class PayloadIndexMeasurement {
  private static final int N = 100_000;

  @Test
  void measure() throws Exception {
    Random rnd = new Random(42);
    JsonNodeFactory f = JsonNodeFactory.instance;
    JsonNode[] payloads = new JsonNode[N];
    Instant t0 = Instant.parse("2024-01-01T00:00:00Z");
    for (int o = 0; o < N; o++) {
      ObjectNode p = f.objectNode();
      p.put("city", "city-" + rnd.nextInt(100));
      p.put("n", rnd.nextInt(1000));
      p.put("price", Math.round(rnd.nextDouble() * 100_000) / 100.0);
      p.put("at", t0.plusSeconds(rnd.nextInt(365 * 86_400)).toString());
      p.put("ok", rnd.nextBoolean());
      p.put("uid", new UUID(rnd.nextLong(), rnd.nextLong()).toString());
      p.putArray("tags").add("t" + rnd.nextInt(20)).add("t" + rnd.nextInt(20));
      p.putObject("loc").put("lon", rnd.nextDouble() * 10).put("lat", rnd.nextDouble() * 10);
      payloads[o] = p;
    }
    PayloadIndex indexed = new PayloadIndex();
    PayloadIndex bare = new PayloadIndex();
    long b0 = System.nanoTime();
    for (String[] field : new String[][] {{"city", "keyword"}, {"n", "integer"}, {"price", "float"},
        {"at", "datetime"}, {"ok", "bool"}, {"uid", "uuid"}, {"tags", "keyword"}}) {
      indexed.createField(field[0], FieldSchema.parse(field[1]), o -> payloads[o]);
    }
    for (int o = 0; o < N; o++) {
      indexed.add(o, payloads[o]);
      bare.add(o, payloads[o]);
    }
    double buildMs = (System.nanoTime() - b0) / 1e6;
    SegmentView view = new SegmentView(RoaringBitmap.bitmapOfRange(0, N), o -> payloads[o], PointId::of, null);
    System.out.printf(Locale.ROOT, "%n100,000 payloads, 7 indexed fields: built in %.0f ms (add one by one)%n",
        buildMs);
    String[][] filters = {
        {"keyword match (1%)", "{\"must\":{\"key\":\"city\",\"match\":{\"value\":\"city-7\"}}}"},
        {"keyword match any (3%) and not bool", "{\"must\":{\"key\":\"city\",\"match\":{\"any\":[\"city-1\","
            + "\"city-2\",\"city-3\"]}},\"must_not\":{\"key\":\"ok\",\"match\":{\"value\":true}}}"},
        {"float range (10%)", "{\"must\":{\"key\":\"price\",\"range\":{\"gte\":100,\"lt\":200}}}"},
        {"datetime range (~8%)", "{\"must\":{\"key\":\"at\",\"range\":{\"gte\":\"2024-03-01T00:00:00Z\","
            + "\"lt\":\"2024-04-01T00:00:00Z\"}}}"},
        {"keyword (1%) and geo box (per point)", "{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"city-7\"}},"
            + "{\"key\":\"loc\",\"geo_bounding_box\":{\"top_left\":{\"lon\":0,\"lat\":5},"
            + "\"bottom_right\":{\"lon\":5,\"lat\":0}}}]}"},
    };
    System.out.println("| filter | matches | indexed µs | per point µs | speed-up | estimate µs (min/exp/max) |");
    System.out.println("|---|---:|---:|---:|---:|---|");
    for (String[] nf : filters) {
      Filter flt = FilterParser.parse(nf[1]);
      int matches = indexed.evaluate(flt, view).getCardinality();
      if (bare.evaluate(flt, view).getCardinality() != matches) {
        throw new AssertionError("indexed and per-point results differ for " + nf[0]);
      }
      double idx = medianMicros(() -> indexed.evaluate(flt, view));
      double per = medianMicros(() -> bare.evaluate(flt, view));
      Cardinality c = indexed.estimate(flt, view);
      double est = medianMicros(() -> indexed.estimate(flt, view));
      System.out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %,.0f | %.0fx | %,.0f (%d/%d/%d) |%n", nf[0], matches, idx,
          per, per / idx, est, c.min(), c.expected(), c.max());
    }
    indexed.compact();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long w0 = System.nanoTime();
    indexed.writeTo(out);
    double writeMs = (System.nanoTime() - w0) / 1e6;
    byte[] bytes = out.toByteArray();
    long r0 = System.nanoTime();
    PayloadIndex.readFrom(ByteBuffer.wrap(bytes));
    double firstReadMs = (System.nanoTime() - r0) / 1e6;
    double readMs = medianMicros(() -> {
      try {
        return PayloadIndex.readFrom(ByteBuffer.wrap(bytes));
      } catch (CorruptFileException e) {
        throw new IllegalStateException(e);
      }
    }) / 1000;
    System.out.printf(Locale.ROOT, "serialized: %,d bytes (%.1f bytes/point); write %.1f ms; read: first %.1f ms, "
        + "median of later reads %.1f ms%n%n", bytes.length, bytes.length / (double) N, writeMs, firstReadMs, readMs);
  }

  /** Median time of 21 runs after 10 warm-up runs. */
  private static double medianMicros(Supplier<?> run) {
    for (int i = 0; i < 10; i++) {
      run.get();
    }
    double[] t = new double[21];
    for (int i = 0; i < t.length; i++) {
      long s = System.nanoTime();
      run.get();
      t[i] = (System.nanoTime() - s) / 1e3;
    }
    Arrays.sort(t);
    return t[t.length / 2];
  }
}
