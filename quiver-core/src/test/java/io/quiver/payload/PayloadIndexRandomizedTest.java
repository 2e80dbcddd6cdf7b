package io.quiver.payload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.PointId;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.testing.RandomizedTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/** evaluate() and estimate() against testing the filter on every live point, under every kind of change. */
class PayloadIndexRandomizedTest extends RandomizedTest {

  /** A segment in miniature: payloads by ordinal, the live set, ids, and the index under test. */
  static final class Seg {
    final List<JsonNode> payloads = new ArrayList<>();
    final RoaringBitmap live = new RoaringBitmap();
    PayloadIndex index = new PayloadIndex();

    static PointId idOf(int ord) {
      return PointId.of(ord * 7L + 1);
    }

    SegmentView view() {
      return new SegmentView(live.clone(), payloads::get, Seg::idOf, id -> {
        long v = ((PointId.Num) id).value() - 1;
        int ord = v % 7 == 0 && v / 7 < payloads.size() ? (int) (v / 7) : -1;
        return ord >= 0 && live.contains(ord) ? ord : -1;
      });
    }

    Set<PointId> idPool() {
      Set<PointId> ids = new HashSet<>();
      for (int i = 0; i < payloads.size(); i += 3) {
        ids.add(idOf(i));
      }
      return ids;
    }

    RoaringBitmap bruteForce(Filter f) {
      RoaringBitmap out = new RoaringBitmap();
      live.forEach((int o) -> {
        if (f.test(idOf(o), payloads.get(o))) {
          out.add(o);
        }
      });
      return out;
    }

    void check(Filter f, String when) {
      SegmentView view = view();
      RoaringBitmap want = bruteForce(f);
      RoaringBitmap got = index.evaluate(f, view);
      if (!got.equals(want)) {
        RoaringBitmap diff = RoaringBitmap.xor(got, want);
        int o = diff.first();
        throw new AssertionError(String.format("%s: evaluate differs from filter.test on %d ordinals; first %d "
                + "(expected %s)%n  filter  %s%n  payload %s%n  fields  %s", when, diff.getCardinality(), o,
            want.contains(o), f, payloads.get(o), index.fields()));
      }
      Cardinality c = index.estimate(f, view);
      assertThat(c.min()).as("%s: estimate %s of %s vs exact %d", when, c, f, want.getCardinality())
          .isLessThanOrEqualTo(want.getCardinality());
      assertThat(c.max()).as("%s: estimate %s of %s vs exact %d", when, c, f, want.getCardinality())
          .isGreaterThanOrEqualTo(want.getCardinality());
      if (c.isExact()) {
        assertThat(c.expected()).as("%s: exact estimate of %s", when, f).isEqualTo(want.getCardinality());
      }
    }

    PayloadIndex roundTrip() throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      index.writeTo(out);
      return PayloadIndex.readFrom(new ByteArrayInputStream(out.toByteArray()));
    }
  }

  private static void indexRandomFields(Random rnd, Seg s) {
    for (int i = 0; i < RandomPayloads.KEYS.size(); i++) {
      if (rnd.nextInt(10) < 7) {
        FieldSchema schema = rnd.nextInt(10) < 7 ? RandomPayloads.MEANT.get(i)
            : FieldSchema.values()[rnd.nextInt(FieldSchema.values().length)];
        s.index.createField(RandomPayloads.KEYS.get(i), schema, s.payloads::get);
      }
    }
  }

  @Test
  void evaluateEqualsFilterTestThroughChangesAndRoundTrips() throws IOException {
    Random rnd = random();
    RandomPayloads gen = new RandomPayloads(rnd);
    for (int round = 0; round < atLeast(6); round++) {
      Seg s = new Seg();
      boolean fieldsFirst = rnd.nextBoolean();
      if (fieldsFirst) {
        indexRandomFields(rnd, s);
      }
      int n = 200 + rnd.nextInt(400);
      for (int o = 0; o < n; o++) {
        s.payloads.add(gen.payload());
        s.live.add(o);
        if (rnd.nextInt(20) > 0) { // a few live points never reach the index: checked per point
          s.index.add(o, s.payloads.get(o));
        }
      }
      if (!fieldsFirst) {
        indexRandomFields(rnd, s); // built over the points already there
      }
      int filters = atLeast(60);
      for (int i = 0; i < filters; i++) {
        s.check(gen.filter(2, s.idPool()), "fresh, round " + round);
      }
      mutate(rnd, gen, s);
      for (int i = 0; i < filters; i++) {
        s.check(gen.filter(2, s.idPool()), "after updates and removes, round " + round);
      }
      if (rnd.nextBoolean()) {
        s.index.compact();
      }
      s.index = s.roundTrip();
      for (int i = 0; i < filters; i++) {
        s.check(gen.filter(2, s.idPool()), "after a round trip, round " + round);
      }
      mutate(rnd, gen, s); // a deserialized index keeps changing correctly
      if (rnd.nextBoolean() && !s.index.fields().isEmpty()) {
        s.index.dropField(s.index.fields().keySet().iterator().next());
      }
      for (int i = 0; i < filters; i++) {
        s.check(gen.filter(2, s.idPool()), "after a round trip and changes, round " + round);
      }
    }
  }

  /** Updates, deletions (some left in the index, as a segment's tombstones) and new points. */
  private static void mutate(Random rnd, RandomPayloads gen, Seg s) {
    int n = s.payloads.size();
    RoaringBitmap indexedAtStart = new RoaringBitmap();
    for (int o = 0; o < n; o++) {
      int r = rnd.nextInt(10);
      if (r == 0 && s.live.contains(o)) {
        s.live.remove(o);
        if (rnd.nextBoolean()) {
          s.index.remove(o, s.payloads.get(o));
        }
      } else if (r == 1 && s.live.contains(o)) {
        JsonNode next = gen.payload();
        if (s.index.remove(o, s.payloads.get(o))) {
          s.index.add(o, next);
        }
        s.payloads.set(o, next);
      } else if (r == 2) {
        JsonNode next = gen.payload();
        try {
          s.index.update(o, s.payloads.get(o), next);
        } catch (IllegalStateException notIndexed) {
          indexedAtStart.add(o); // fine: only indexed ordinals can be updated
        }
        s.payloads.set(o, next);
      }
    }
    for (int i = rnd.nextInt(50); i > 0; i--) {
      int o = s.payloads.size();
      s.payloads.add(gen.payload());
      s.live.add(o);
      s.index.add(o, s.payloads.get(o));
    }
  }

  @Test
  void rangesStayExactWhileTheDeltaMergesAndStaleEntriesDrop() {
    Random rnd = random();
    RandomPayloads gen = new RandomPayloads(rnd);
    Seg s = new Seg();
    s.index.createField("price", FieldSchema.FLOAT, s.payloads::get);
    s.index.createField("n", FieldSchema.INTEGER, s.payloads::get);
    s.index.createField("at", FieldSchema.DATETIME, s.payloads::get);
    int n = atLeast(9000); // more than two merges of the 4096-pair delta
    for (int o = 0; o < n; o++) {
      s.payloads.add(gen.payload());
      s.live.add(o);
      s.index.add(o, s.payloads.get(o));
      if (o > 0 && rnd.nextInt(4) == 0) {
        int victim = rnd.nextInt(o);
        JsonNode next = gen.payload();
        s.index.update(victim, s.payloads.get(victim), next);
        s.payloads.set(victim, next);
      }
      if (o % 1500 == 1499) {
        for (int i = 0; i < 5; i++) {
          s.check(rangeFilter(gen), "after " + (o + 1) + " points");
        }
      }
    }
    for (int i = 0; i < atLeast(40); i++) {
      s.check(rangeFilter(gen), "end");
    }
  }

  private static Filter rangeFilter(RandomPayloads gen) {
    return Filter.must(new Condition.Range(gen.conditionKey().equals("n") ? "n" : "price", gen.bound(), gen.bound(),
            gen.bound(), gen.bound()),
        new Condition.DatetimeRange("at", gen.instantBound(), gen.instantBound(), gen.instantBound(),
            gen.instantBound()));
  }

  @Test
  void fullyIndexedFiltersAreExactWithoutReadingPayloads() {
    Random rnd = random();
    RandomPayloads gen = new RandomPayloads(rnd);
    Seg s = new Seg();
    s.index.createField("city", FieldSchema.KEYWORD, s.payloads::get);
    s.index.createField("ok", FieldSchema.BOOL, s.payloads::get);
    for (int o = 0; o < 500; o++) {
      s.payloads.add(gen.payload());
      s.live.add(o);
      s.index.add(o, s.payloads.get(o));
    }
    Filter f = new Filter(List.of(new Condition.MatchAny("city", List.of(RandomPayloads.F.textNode("a"),
        RandomPayloads.F.textNode("b")))), List.of(), List.of(new Condition.Match("ok",
        RandomPayloads.F.booleanNode(true)), new Condition.IsEmpty("ok")), null);
    SegmentView blind = new SegmentView(s.live.clone(), o -> {
      throw new AssertionError("payload of " + o + " read for a fully indexed filter");
    }, Seg::idOf, null);
    int exact = s.bruteForce(f).getCardinality();
    assertThat(s.index.estimate(f, blind)).isEqualTo(Cardinality.exact(exact));
    assertThat(s.index.evaluate(f, blind)).isEqualTo(s.bruteForce(f));
  }
}
