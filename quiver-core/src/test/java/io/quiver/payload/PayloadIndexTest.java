package io.quiver.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.PointId;
import io.quiver.filter.Filter;
import io.quiver.filter.FilterParser;
import io.quiver.storage.CorruptFileException;
import io.quiver.testing.RandomizedTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

class PayloadIndexTest extends RandomizedTest {
  private static final ObjectMapper M = new ObjectMapper();

  private static JsonNode json(String s) {
    try {
      return M.readTree(s.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static Filter filter(String s) {
    return FilterParser.parse(s.replace('\'', '"'));
  }

  /** A segment of the given payloads, every field indexed as given ("key:schema"). */
  private static final class Fixture {
    final List<JsonNode> payloads = new ArrayList<>();
    final PayloadIndex index = new PayloadIndex();

    Fixture(List<String> payloads, String... fields) {
      for (String p : payloads) {
        this.payloads.add(json(p));
      }
      for (String f : fields) {
        String[] kv = f.split(":");
        index.createField(kv[0], FieldSchema.parse(kv[1]), this.payloads::get);
      }
      for (int o = 0; o < this.payloads.size(); o++) {
        index.add(o, this.payloads.get(o));
      }
    }

    SegmentView view() {
      return new SegmentView(RoaringBitmap.bitmapOfRange(0, payloads.size()), payloads::get,
          o -> PointId.of(100 + o), id -> (int) (((PointId.Num) id).value() - 100));
    }

    /** Matching ordinals, checked against filter.test, and whether the indexes decided them alone. */
    List<Integer> matches(String f) {
      Filter parsed = filter(f);
      RoaringBitmap got = index.evaluate(parsed, view());
      for (int o = 0; o < payloads.size(); o++) {
        assertThat(got.contains(o)).as("ordinal %d, payload %s, filter %s", o, payloads.get(o), f)
            .isEqualTo(parsed.test(PointId.of(100 + o), payloads.get(o)));
      }
      List<Integer> out = new ArrayList<>();
      got.forEach((int o) -> out.add(o));
      return out;
    }

    /** Whether the indexes decide {@code f} alone: an exact estimate that read no payload. */
    boolean exact(String f) {
      AtomicBoolean read = new AtomicBoolean();
      Cardinality c = index.estimate(filter(f), new SegmentView(RoaringBitmap.bitmapOfRange(0, payloads.size()), o -> {
        read.set(true);
        return payloads.get(o);
      }, o -> PointId.of(100 + o), id -> (int) (((PointId.Num) id).value() - 100)));
      assertThat(c.expected()).isEqualTo(index.evaluate(filter(f), view()).getCardinality());
      return c.isExact() && !read.get();
    }
  }

  @Test
  void keywordMatchValueAnyExceptOverArraysNullsAndWrongTypes() {
    Fixture x = new Fixture(List.of("{'c':'a'}", "{'c':['a','b']}", "{'c':['a',null]}", "{'c':null}", "{}",
        "{'c':7}", "{'c':['a','a']}", "{'c':[]}", "{'c':[['a']]}"), "c:keyword");
    assertThat(x.matches("{'must':{'key':'c','match':{'value':'a'}}}")).containsExactly(0, 1, 2, 6);
    assertThat(x.matches("{'must':{'key':'c','match':{'any':['b','z']}}}")).containsExactly(1);
    // except: no value at all, a null, a wrong-typed value or a key outside the list is a witness
    assertThat(x.matches("{'must':{'key':'c','match':{'except':['a']}}}")).containsExactly(1, 2, 3, 4, 5, 7, 8);
    assertThat(x.matches("{'must_not':{'key':'c','match':{'value':'a'}}}")).containsExactly(3, 4, 5, 7, 8);
    assertThat(x.matches("{'must':{'key':'c','match':{'value':7}}}")).containsExactly(5);
    for (String f : List.of("{'must':{'key':'c','match':{'value':'a'}}}",
        "{'must':{'key':'c','match':{'except':['a','b']}}}", "{'must':{'is_empty':{'key':'c'}}}",
        "{'must':{'is_null':{'key':'c'}}}", "{'must':{'key':'c','values_count':{'gte':2}}}")) {
      assertThat(x.exact(f)).as(f).isTrue();
    }
    assertThat(x.exact("{'must':{'key':'c','match':{'value':7}}}")).as("a number in a keyword field").isFalse();
  }

  @Test
  void emptinessNullAndCountsFollowTheConditionsNotTheIndexedType() {
    Fixture x = new Fixture(List.of("{'a':null}", "{'a':[1,null]}", "{'a':[]}", "{}", "{'a':'x'}",
        "{'a':[1,1,'s']}", "{'a':{'b':null}}"), "a:integer", "a.b:keyword");
    assertThat(x.matches("{'must':{'is_empty':{'key':'a'}}}")).containsExactly(0, 2, 3);
    assertThat(x.matches("{'must':{'is_null':{'key':'a'}}}")).as("only an explicit null").containsExactly(0);
    assertThat(x.matches("{'must':{'is_null':{'key':'a.b'}}}")).containsExactly(6);
    assertThat(x.matches("{'must':{'key':'a','values_count':{'gte':3}}}")).as("duplicates and strings count")
        .containsExactly(5);
    assertThat(x.matches("{'must':{'key':'a','values_count':{'lt':1}}}")).containsExactly(0, 2, 3);
  }

  @Test
  void integerIndexAgreesWithNumericEqualityAcrossTypesAndPrecision() {
    long big = 1L << 53;
    Fixture x = new Fixture(List.of("{'n':3}", "{'n':3.0}", "{'n':3.5}", "{'n':'3'}", "{'n':" + big + "}",
        "{'n':" + (big + 1) + "}", "{'n':9007199254740992.0}", "{'n':1180591620717411303424}", "{'n':-0.0}"),
        "n:integer");
    assertThat(x.matches("{'must':{'key':'n','match':{'value':3}}}")).containsExactly(0, 1);
    // 2^53 + 1 is 2^53 as a double, so it equals the float 2^53
    assertThat(x.matches("{'must':{'key':'n','match':{'value':" + (big + 1) + "}}}")).containsExactly(5, 6);
    assertThat(x.matches("{'must':{'key':'n','match':{'value':1180591620717411303424}}}")).containsExactly(7);
    assertThat(x.matches("{'must':{'key':'n','match':{'value':0}}}")).containsExactly(8);
    assertThat(x.matches("{'must':{'key':'n','range':{'gt':3,'lte':" + big + "}}}")).containsExactly(2, 4, 5, 6);
    assertThat(x.matches("{'must':{'key':'n','range':{'gte':0,'lte':0}}}")).containsExactly(8);
    assertThat(x.exact("{'must':{'key':'n','match':{'value':3}}}")).isTrue();
  }

  @Test
  void floatAndDatetimeRangesAtTheirEdges() {
    Fixture x = new Fixture(List.of("{'p':-0.0,'t':'2024-03-01T00:00:00Z'}",
        "{'p':0.5,'t':'2024-03-01T01:00:00+01:00'}", "{'p':1e308,'t':'2024-03-01T00:00:00.0000005Z'}",
        "{'p':'cheap','t':'2024-03-01'}", "{'p':[1,2],'t':['2024-01-01','2025-01-01']}",
        "{'t':'2024-03-01T00:00:00.000001Z'}", "{'t':'nonsense'}"), "p:float", "t:datetime");
    assertThat(x.matches("{'must':{'key':'p','range':{'gte':0,'lt':1}}}")).containsExactly(0, 1);
    assertThat(x.matches("{'must':{'key':'p','range':{'gt':0}}}")).containsExactly(1, 2, 4);
    assertThat(x.matches("{'must':{'key':'p','range':{'gt':1,'lt':2}}}")).as("no value between 1 and 2")
        .isEmpty();
    assertThat(x.matches("{'must':{'key':'t','range':{'lte':'2024-03-01T00:00:00Z'}}}"))
        .containsExactly(0, 1, 3, 4);
    assertThat(x.matches("{'must':{'key':'t','range':{'gt':'2024-03-01T00:00:00Z'}}}")).as("half a microsecond later")
        .containsExactly(2, 4, 5);
    assertThat(x.matches("{'must':{'key':'t','range':{'gt':'2024-03-01T00:00:00.0000005Z',"
        + "'lt':'2024-03-01T00:00:00.000001Z'}}}")).isEmpty();
    assertThat(x.exact("{'must':{'key':'p','range':{'gt':0}}}")).isTrue();
    assertThat(x.exact("{'must':{'key':'t','range':{'gt':'2024-02-01T00:00:00Z'}}}"))
        .as("the sub-microsecond value is checked per point").isFalse();
  }

  @Test
  void boolUuidHasIdNestedAndMinShould() {
    String u = "550e8400-e29b-41d4-a716-446655440000";
    Fixture x = new Fixture(List.of("{'ok':true,'u':'" + u + "','d':[{'f':'meat','l':false},{'f':'fruit','l':true}]}",
        "{'ok':false,'u':'" + u.toUpperCase(java.util.Locale.ROOT) + "'}", "{'ok':'true','u':['x','" + u + "']}",
        "{'ok':[true,false],'d':[{'f':'meat','l':true}]}"), "ok:bool", "u:uuid", "d[].f:keyword");
    assertThat(x.matches("{'must':{'key':'ok','match':{'value':true}}}")).containsExactly(0, 3);
    assertThat(x.matches("{'must':{'key':'ok','match':{'except':[true]}}}")).containsExactly(1, 2, 3);
    assertThat(x.matches("{'must':{'key':'u','match':{'value':'" + u + "'}}}")).containsExactly(0, 2);
    assertThat(x.matches("{'must':{'key':'u','match':{'value':'" + u.toUpperCase(java.util.Locale.ROOT) + "'}}}"))
        .containsExactly(1);
    assertThat(x.matches("{'must':{'has_id':[101,103,5]}}")).containsExactly(1, 3);
    assertThat(x.matches("{'must':[{'key':'d[].f','match':{'value':'meat'}},{'nested':{'key':'d','filter':"
        + "{'must':[{'key':'f','match':{'value':'meat'}},{'key':'l','match':{'value':true}}]}}}]}"))
        .containsExactly(3);
    assertThat(x.matches("{'min_should':{'conditions':[{'key':'ok','match':{'value':true}},"
        + "{'key':'u','match':{'value':'" + u + "'}},{'has_id':[102]}],'min_count':2}}")).containsExactly(0, 2);
    assertThat(x.exact("{'must':{'has_id':[101,103,5]}}")).isTrue();
  }

  @Test
  void mustNotOfAPerPointConditionStaysExact() {
    Fixture x = new Fixture(List.of("{'c':'a','g':{'lon':1,'lat':1}}", "{'c':'a'}", "{'c':'b','g':{'lon':1,'lat':1}}",
        "{'c':['a','b'],'g':{'lon':50,'lat':1}}"), "c:keyword");
    String geo = "{'key':'g','geo_radius':{'center':{'lon':1,'lat':1},'radius':1000}}";
    assertThat(x.matches("{'must':{'key':'c','match':{'value':'a'}},'must_not':" + geo + "}")).containsExactly(1, 3);
    assertThat(x.matches("{'must_not':[{'key':'c','match':{'value':'a'}}," + geo + "]}")).isEmpty();
    assertThat(x.matches("{'should':[{'must_not':" + geo + "},{'key':'c','match':{'value':'b'}}]}"))
        .containsExactly(1, 2, 3);
  }

  @Test
  void estimateBoundsAPerPointFilterWithASample() {
    Random rnd = random();
    List<String> ps = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      ps.add("{'c':'" + (char) ('a' + rnd.nextInt(4)) + "','g':{'lon':" + rnd.nextInt(4) + ",'lat':0}}");
    }
    Fixture x = new Fixture(ps, "c:keyword");
    Filter f = filter("{'must':[{'key':'c','match':{'value':'a'}},{'key':'g','geo_bounding_box':"
        + "{'top_left':{'lon':-0.5,'lat':1},'bottom_right':{'lon':1.5,'lat':-1}}}]}");
    int exact = x.index.evaluate(f, x.view()).getCardinality();
    Cardinality c = x.index.estimate(f, x.view());
    int a = x.index.evaluate(filter("{'must':{'key':'c','match':{'value':'a'}}}"), x.view()).getCardinality();
    assertThat(c.min()).isZero();
    assertThat(c.max()).isEqualTo(a);
    assertThat(c.expected()).as("half of the 'a' points lie in the box; sample of %d", PayloadIndex.ESTIMATE_SAMPLE)
        .isBetween(exact - a / 4, exact + a / 4);
    assertThat(x.index.estimate(f, x.view())).as("seeded: the same every time").isEqualTo(c);
  }

  @Test
  void serializationEndingAtTheBufferBoundaryKeepsItsChecksum() throws Exception {
    // regression: the CRC was appended after the buffer grew, but the bytes were copied from the old buffer
    List<String> payloads = new ArrayList<>();
    for (int i = 0; i < atLeast(200); i++) {
      payloads.add("{'c':'v" + random().nextInt(50) + "','n':" + random().nextInt(1000) + "}");
    }
    Fixture x = new Fixture(payloads, "c:keyword", "n:integer");
    byte[] reference = x.index.serialize(1 << 16);
    int beforeCrc = reference.length - 4;
    for (int capacity = beforeCrc - 3; capacity <= beforeCrc + 4; capacity++) {
      byte[] bytes = x.index.serialize(capacity);
      assertThat(bytes).as("initial capacity %d", capacity).isEqualTo(reference);
      assertThat(PayloadIndex.readFrom(java.nio.ByteBuffer.wrap(bytes)).size()).isEqualTo(payloads.size());
    }
  }

  @Test
  void serializedIndexIsCheckedAndRejectedWithReasons() throws Exception {
    Fixture x = new Fixture(List.of("{'c':'a','n':1,'p':0.5,'t':'2024-01-01','b':true,"
        + "'u':'550e8400-e29b-41d4-a716-446655440000'}"), "c:keyword", "n:integer", "p:float", "t:datetime", "b:bool",
        "u:uuid");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    x.index.writeTo(out);
    byte[] ok = out.toByteArray();
    PayloadIndex back = PayloadIndex.readFrom(new ByteArrayInputStream(ok));
    assertThat(back.fields()).isEqualTo(x.index.fields());
    assertThat(back.size()).isEqualTo(1);
    ByteBuffer direct = ByteBuffer.allocateDirect(ok.length).put(ok).flip();
    assertThat(PayloadIndex.readFrom(direct).fields()).as("from a direct (mapped) buffer").isEqualTo(back.fields());

    byte[] flipped = ok.clone();
    flipped[ok.length / 2] ^= 1;
    assertThatThrownBy(() -> PayloadIndex.readFrom(new ByteArrayInputStream(flipped)))
        .isInstanceOf(CorruptFileException.class).hasMessageContaining("CRC32C mismatch");
    byte[] magic = ok.clone();
    magic[0] = 'X';
    assertThatThrownBy(() -> PayloadIndex.readFrom(new ByteArrayInputStream(magic))).hasMessageContaining("bad magic");
    byte[] version = ok.clone();
    version[4] = 9;
    assertThatThrownBy(() -> PayloadIndex.readFrom(new ByteArrayInputStream(version)))
        .hasMessageContaining("format version 9 is not supported");
    assertThatThrownBy(() -> PayloadIndex.readFrom(new ByteArrayInputStream(java.util.Arrays.copyOf(ok, ok.length - 3))))
        .hasMessageContaining("truncated");
  }

  @Test
  void misuseFailsWithClearMessages() {
    PayloadIndex index = new PayloadIndex();
    index.add(0, json("{}"));
    assertThatThrownBy(() -> index.add(0, json("{}"))).hasMessageContaining("ordinal 0 is already indexed");
    assertThatThrownBy(() -> index.update(1, null, json("{}"))).hasMessageContaining("ordinal 1 is not indexed");
    assertThatThrownBy(() -> index.add(-1, null)).hasMessageContaining("ordinal must be >= 0");
    assertThatThrownBy(() -> index.createField("a..b", FieldSchema.KEYWORD, o -> null))
        .hasMessageContaining("invalid field key 'a..b'");
    assertThatThrownBy(() -> FieldSchema.parse("geo")).hasMessageContaining("unknown field schema 'geo'");
    assertThat(index.createField("a", FieldSchema.KEYWORD, o -> null)).isTrue();
    assertThat(index.createField("a", FieldSchema.KEYWORD, o -> null)).as("already there").isFalse();
    assertThat(index.createField("a", FieldSchema.INTEGER, o -> null)).as("another schema rebuilds").isTrue();
    assertThat(index.fields()).containsEntry("a", FieldSchema.INTEGER);
    assertThat(index.dropField("a")).isTrue();
    assertThat(index.dropField("a")).isFalse();
  }

  @Test
  void readersEvaluateWhileOneWriterAddsUpdatesAndRemoves() throws Exception {
    Random rnd = random();
    RandomPayloads gen = new RandomPayloads(new Random(rnd.nextLong()));
    int n = atLeast(3000);
    AtomicReferenceArray<JsonNode> payloads = new AtomicReferenceArray<>(n);
    PayloadIndex index = new PayloadIndex();
    index.createField("city", FieldSchema.KEYWORD, payloads::get);
    index.createField("n", FieldSchema.INTEGER, payloads::get);
    index.createField("price", FieldSchema.FLOAT, payloads::get);
    List<Filter> filters = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      filters.add(gen.filter(1, java.util.Set.of(PointId.of(1))));
    }
    RoaringBitmap all = RoaringBitmap.bitmapOfRange(0, n);
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    CountDownLatch started = new CountDownLatch(2);
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      int seed = r;
      readers.add(Thread.ofPlatform().start(() -> {
        started.countDown();
        int i = seed;
        do { // at least one evaluation even if the writer is already done
          Filter f = filters.get(i++ % filters.size());
          try {
            RoaringBitmap got = index.evaluate(f, new SegmentView(all, payloads::get, PointId::of, null));
            index.estimate(f, new SegmentView(all, payloads::get, PointId::of, null));
            if (!RoaringBitmap.andNot(got, all).isEmpty()) {
              throw new AssertionError("an ordinal outside the live set");
            }
          } catch (Throwable t) {
            errors.add(t);
            return;
          }
        } while (!done.get());
      }));
    }
    started.await();
    Random wr = new Random(rnd.nextLong());
    RandomPayloads writerGen = new RandomPayloads(wr);
    for (int o = 0; o < n; o++) {
      payloads.set(o, writerGen.payload());
      index.add(o, payloads.get(o));
      if (o > 0 && wr.nextInt(3) == 0) {
        int victim = wr.nextInt(o);
        JsonNode next = wr.nextInt(4) == 0 ? null : writerGen.payload();
        JsonNode old = payloads.get(victim);
        payloads.set(victim, next);
        if (next == null) {
          index.remove(victim, old);
        } else {
          index.remove(victim, old); // false when an earlier round removed it
          index.add(victim, next);
        }
      }
    }
    done.set(true);
    for (Thread t : readers) {
      t.join();
    }
    assertThat(errors).isEmpty();
    SegmentView view = new SegmentView(all, payloads::get, PointId::of, null);
    for (Filter f : filters) {
      RoaringBitmap want = new RoaringBitmap();
      for (int o = 0; o < n; o++) {
        if (f.test(PointId.of(o), payloads.get(o))) {
          want.add(o);
        }
      }
      assertThat(index.evaluate(f, view)).as("%s", f).isEqualTo(want);
    }
  }
}
