package io.quiver.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.filter.Condition;
import io.quiver.filter.Condition.TextMatch.Kind;
import io.quiver.filter.Filter;
import io.quiver.filter.PayloadPath;
import io.quiver.filter.TextMatching;
import io.quiver.storage.CorruptFileException;
import io.quiver.testing.RandomizedTest;
import io.quiver.text.TextAnalyzer;
import io.quiver.text.TextIndexParams;
import io.quiver.text.TextIndexParams.Stopwords;
import io.quiver.text.TextIndexParams.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * Full-text filters answered by a payload index against a brute-force evaluation of every point with an analyzer
 * built separately from the same parameters, through adds, updates, removes, compaction and serialization.
 */
class TextIndexRandomizedTest extends RandomizedTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> VOCAB = List.of("Running", "runs", "run", "the", "The", "cats", "cat", "Café",
      "cafe", "naïve", "naive", "alpha", "beta", "gamma", "delta", "a", "x1", "über", "Über", "to", "gardens",
      "garden", "ÉCOLE", "ecole", "quickly", "quick", "brown", "fox");
  private static final List<String> SEPARATORS = List.of(" ", " ", ", ", "-", "  ", ". ", "/");

  private static TextIndexParams randomParams(Random rnd) {
    TextIndexParams.Builder b = TextIndexParams.builder();
    if (rnd.nextBoolean()) {
      b.tokenizer(Tokenizer.values()[rnd.nextInt(Tokenizer.values().length)]);
    }
    if (rnd.nextInt(3) == 0) {
      b.lowercase(rnd.nextBoolean());
    }
    if (rnd.nextBoolean()) {
      b.asciiFolding(rnd.nextBoolean());
    }
    if (rnd.nextBoolean()) {
      b.phraseMatching(rnd.nextBoolean());
    }
    if (rnd.nextInt(3) == 0) {
      b.stopwords(rnd.nextBoolean() ? Stopwords.of("english")
          : new Stopwords(List.of("english"), List.of("Alpha", "fox")));
    }
    if (rnd.nextInt(3) == 0) {
      b.stemmer("english");
    }
    if (rnd.nextInt(3) == 0) {
      int min = 1 + rnd.nextInt(3);
      b.minTokenLen(min).maxTokenLen(min + rnd.nextInt(6));
    }
    return b.build();
  }

  private static String sentence(Random rnd, int maxWords) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(maxWords + 1);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(SEPARATORS.get(rnd.nextInt(SEPARATORS.size())));
      }
      sb.append(rnd.nextInt(40) == 0 ? "zz" + rnd.nextInt(3) : VOCAB.get(rnd.nextInt(VOCAB.size())));
    }
    return sb.toString();
  }

  private static ObjectNode payload(Random rnd) {
    ObjectNode p = JSON.createObjectNode();
    for (String key : List.of("body", "raw")) {
      switch (rnd.nextInt(8)) {
        case 0 -> { } // absent
        case 1 -> p.putNull(key);
        case 2 -> p.put(key, rnd.nextInt(5));
        case 3, 4 -> {
          ArrayNode a = p.putArray(key);
          for (int i = rnd.nextInt(4); i > 0; i--) {
            if (rnd.nextInt(6) == 0) {
              a.add(rnd.nextInt(3));
            } else {
              a.add(sentence(rnd, 5));
            }
          }
        }
        default -> p.put(key, sentence(rnd, 8));
      }
    }
    return p;
  }

  private static Condition.TextMatch condition(Random rnd, String key) {
    Kind kind = Kind.values()[rnd.nextInt(Kind.values().length)];
    String text = rnd.nextInt(4) == 0 ? VOCAB.get(rnd.nextInt(VOCAB.size())) : sentence(rnd, 3);
    return new Condition.TextMatch(key, kind, text);
  }

  private static Filter filter(Random rnd) {
    Condition a = condition(rnd, rnd.nextInt(4) == 0 ? "raw" : "body");
    return switch (rnd.nextInt(5)) {
      case 0 -> Filter.mustNot(a);
      case 1 -> Filter.should(a, condition(rnd, "body"));
      case 2 -> Filter.must(a, new Condition.IsEmpty("raw"));
      default -> Filter.must(a);
    };
  }

  /** The points of one segment, its index, and the brute-force answer. */
  private static final class Seg {
    final List<JsonNode> payloads = new ArrayList<>();
    final RoaringBitmap live = new RoaringBitmap();
    PayloadIndex index = new PayloadIndex();
    final TextAnalyzer reference;

    Seg(TextIndexParams params) {
      reference = new TextAnalyzer(params);
    }

    SegmentView view() {
      return new SegmentView(live.clone(), payloads::get, o -> PointId.of(o), id -> -1);
    }

    boolean expected(Condition c, JsonNode payload) {
      return switch (c) {
        case Filter f -> {
          boolean must = f.must().stream().allMatch(x -> expected(x, payload));
          boolean not = f.mustNot().stream().noneMatch(x -> expected(x, payload));
          boolean should = f.should().isEmpty() || f.should().stream().anyMatch(x -> expected(x, payload));
          yield must && not && should;
        }
        case Condition.TextMatch t -> {
          List<String> strings = new ArrayList<>();
          PayloadPath.values(payload, t.key()).forEach(v -> {
            if (v.isTextual()) {
              strings.add(v.textValue());
            }
          });
          yield t.key().equals("body") ? TextMatching.matches(reference, t.kind(), t.text(), strings)
              : TextMatching.substring(t.kind(), t.text(), strings);
        }
        default -> c.test(null, payload);
      };
    }

    void check(Filter f, String when) {
      RoaringBitmap want = new RoaringBitmap();
      live.forEach((int o) -> {
        if (expected(f, payloads.get(o))) {
          want.add(o);
        }
      });
      RoaringBitmap got = index.evaluate(f, view());
      if (!got.equals(want)) {
        int o = RoaringBitmap.xor(got, want).first();
        throw new AssertionError(String.format("%s: %s differs on ordinal %d (expected %s)%n  payload %s%n  params %s",
            when, f, o, want.contains(o), payloads.get(o), reference.params()));
      }
      live.forEach((int o) -> assertThat(f.test(PointId.of(o), payloads.get(o), index.textFields()))
          .as("%s: per-point test of %s on %s", when, f, payloads.get(o)).isEqualTo(want.contains(o)));
      Cardinality c = index.estimate(f, view());
      assertThat(c.min()).isLessThanOrEqualTo(want.getCardinality());
      assertThat(c.max()).isGreaterThanOrEqualTo(want.getCardinality());
      if (c.isExact()) {
        assertThat(c.expected()).as("%s: exact estimate of %s", when, f).isEqualTo(want.getCardinality());
      }
    }

    void roundTrip() throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      index.writeTo(out);
      index = PayloadIndex.readFrom(new ByteArrayInputStream(out.toByteArray()));
    }
  }

  @Test
  void textFiltersEqualBruteForceThroughChangesAndRoundTrips() throws IOException {
    Random rnd = random();
    for (int round = 0, rounds = atLeast(12); round < rounds; round++) {
      TextIndexParams params = randomParams(rnd);
      Seg s = new Seg(params);
      boolean indexFirst = rnd.nextBoolean();
      if (indexFirst) {
        s.index.createField("body", FieldSchema.TEXT, params, s.payloads::get);
      }
      int n = 60 + rnd.nextInt(140);
      for (int o = 0; o < n; o++) {
        JsonNode p = payload(rnd);
        s.payloads.add(p);
        s.live.add(o);
        s.index.add(o, p);
      }
      if (!indexFirst) {
        s.index.createField("body", FieldSchema.TEXT, params, s.payloads::get);
      }
      for (int q = 0; q < 30; q++) {
        s.check(filter(rnd), "round " + round + " after adds");
      }
      for (int i = 0; i < n / 3; i++) {
        int o = rnd.nextInt(n);
        if (!s.live.contains(o)) {
          continue;
        }
        if (rnd.nextBoolean()) {
          s.index.remove(o, s.payloads.get(o));
          s.live.remove(o);
        } else {
          JsonNode p = payload(rnd);
          s.index.update(o, s.payloads.get(o), p);
          s.payloads.set(o, p);
        }
      }
      for (int q = 0; q < 30; q++) {
        s.check(filter(rnd), "round " + round + " after updates");
      }
      s.index.compact();
      s.roundTrip();
      assertThat(s.index.textParams("body")).isEqualTo(params);
      for (int q = 0; q < 30; q++) {
        s.check(filter(rnd), "round " + round + " after a round trip");
      }
    }
  }

  @Test
  void qdrantsExamples() {
    TextAnalyzer plain = new TextAnalyzer(TextIndexParams.DEFAULT);
    assertThat(match(plain, Kind.TEXT, "alpha beta", "gamma alpha beta")).isTrue();
    assertThat(match(plain, Kind.TEXT, "alpha beta", "beta alpha")).isTrue();
    assertThat(match(plain, Kind.TEXT, "alpha beta", "alpha", "delta beta")).as("tokens pooled over elements")
        .isTrue();
    assertThat(match(plain, Kind.TEXT, "alpha beta", "alpha gamma")).isFalse();
    assertThat(match(plain, Kind.TEXT, "alpha beta", "beta", "delta beta")).isFalse();
    assertThat(match(plain, Kind.TEXT_ANY, "alpha beta", "delta", "beta alpha")).isTrue();
    assertThat(match(plain, Kind.TEXT_ANY, "alpha beta", "delta gamma", "delta")).isFalse();
    assertThat(match(plain, Kind.PHRASE, "alpha beta", "gamma", "alpha beta")).isTrue();
    assertThat(match(plain, Kind.PHRASE, "alpha beta", "alpha gamma beta")).isFalse();
    assertThat(match(plain, Kind.PHRASE, "alpha beta", "gamma alpha", "beta delta")).as("a phrase is in one value")
        .isFalse();
    assertThat(match(plain, Kind.TEXT, "", "anything")).as("a query without tokens matches nothing").isFalse();
    assertThat(TextMatching.substring(Kind.TEXT, "ha be", List.of("alpha beta"))).isTrue();
    assertThat(TextMatching.substring(Kind.TEXT, "Alpha", List.of("alpha beta"))).as("case-sensitive").isFalse();
    assertThat(TextMatching.substring(Kind.TEXT_ANY, " zz  bet ", List.of("alpha beta"))).isTrue();
    assertThat(TextMatching.substring(Kind.TEXT_ANY, "  ", List.of("alpha beta"))).isFalse();
  }

  @Test
  void versionOneFilesAreReadAndBadTextSectionsRejected() throws IOException {
    List<JsonNode> payloads = List.of(JSON.readTree("{\"c\": \"a b\"}"), JSON.readTree("{\"c\": [\"b c\", 1]}"));
    PayloadIndex keyword = new PayloadIndex();
    keyword.createField("c", FieldSchema.KEYWORD, payloads::get);
    PayloadIndex text = new PayloadIndex();
    text.createField("c", FieldSchema.TEXT, TextIndexParams.builder().phraseMatching(true).build(), payloads::get);
    for (int o = 0; o < payloads.size(); o++) {
      keyword.add(o, payloads.get(o));
      text.add(o, payloads.get(o));
    }
    byte[] v1 = keyword.serialize(64);
    v1[4] = 1;
    recrc(v1);
    assertThat(PayloadIndex.readFrom(ByteBuffer.wrap(v1)).fields()).containsEntry("c", FieldSchema.KEYWORD);

    byte[] ok = text.serialize(64);
    PayloadIndex back = PayloadIndex.readFrom(ByteBuffer.wrap(ok));
    Filter phrase = Filter.must(new Condition.TextMatch("c", Kind.PHRASE, "b c"));
    SegmentView view = new SegmentView(RoaringBitmap.bitmapOf(0, 1), payloads::get, PointId::of, id -> -1);
    assertThat(back.evaluate(phrase, view)).isEqualTo(RoaringBitmap.bitmapOf(1));
    byte[] badParams = ok.clone();
    int at = indexOf(badParams, "\"text\"".getBytes(StandardCharsets.UTF_8));
    badParams[at + 1] = 'T';
    recrc(badParams);
    assertThatThrownBy(() -> PayloadIndex.readFrom(ByteBuffer.wrap(badParams)))
        .isInstanceOf(CorruptFileException.class).hasMessageContaining("text field 'c' has bad parameters");
  }

  private static void recrc(byte[] file) {
    CRC32C crc = new CRC32C();
    crc.update(file, 0, file.length - 4);
    ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(file.length - 4, (int) crc.getValue());
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  private static boolean match(TextAnalyzer a, Kind kind, String text, String... strings) {
    return TextMatching.matches(a, kind, text, List.of(strings));
  }
}
