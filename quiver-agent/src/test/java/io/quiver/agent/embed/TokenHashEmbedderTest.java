package io.quiver.agent.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.quiver.QuiverException;
import io.quiver.testing.RandomizedTest;
import io.quiver.text.DenseTextModel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenHashEmbedderTest extends RandomizedTest {
  private final TokenHashEmbedder embedder = TokenHashEmbedder.create();

  static double cos(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += (double) a[i] * b[i];
    }
    return d;
  }

  static String randomWord(Random r) {
    int n = 3 + r.nextInt(8);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append((char) ('a' + r.nextInt(26)));
    }
    return sb.toString();
  }

  static List<String> randomWords(Random r, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(randomWord(r));
    }
    return out;
  }

  @Test
  void murmur3MatchesTheReferenceValues() {
    assertThat(Murmur3.hash32(new byte[0], 0)).isEqualTo(0);
    assertThat(Murmur3.hash32("hello".getBytes(StandardCharsets.UTF_8), 0)).isEqualTo(0x248bfa47);
    assertThat(Murmur3.hash32("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8), 0))
        .isEqualTo(0x2e4ff723);
  }

  @Test
  void identicalTextGivesIdenticalUnitVectors() {
    for (int i = 0; i < atLeast(50); i++) {
      String text = String.join(" ", randomWords(random(), 1 + random().nextInt(20)));
      float[] a = embedder.embed(text);
      float[] b = TokenHashEmbedder.create().embed(List.of(text)).get(0);
      assertThat(b).containsExactly(a);
      assertThat(cos(a, a)).isCloseTo(1.0, within(1e-5));
      assertThat(a).hasSize(TokenHashEmbedder.DEFAULT_DIMENSION);
    }
  }

  @Test
  void caseAndPunctuationDoNotMatter() {
    assertThat(embedder.embed("Fix the NULL-pointer, in parser!")).containsExactly(
        embedder.embed("fix the null pointer in parser"));
  }

  @Test
  void textsSharingWordsAreCloserThanUnrelatedTexts() {
    int trials = atLeast(200);
    double unrelatedSum = 0;
    double unrelatedMax = -1;
    for (int i = 0; i < trials; i++) {
      List<String> base = randomWords(random(), 6 + random().nextInt(10));
      List<String> shared = new ArrayList<>(base.subList(0, base.size() / 2));
      shared.addAll(randomWords(random(), base.size() - shared.size()));
      List<String> unrelated = randomWords(random(), base.size());
      float[] b = embedder.embed(String.join(" ", base));
      double sharedCos = cos(b, embedder.embed(String.join(" ", shared)));
      double unrelatedCos = cos(b, embedder.embed(String.join(" ", unrelated)));
      assertThat(sharedCos).as("trial %d", i).isGreaterThan(unrelatedCos);
      unrelatedSum += unrelatedCos;
      unrelatedMax = Math.max(unrelatedMax, unrelatedCos);
    }
    assertThat(unrelatedSum / trials).isLessThan(0.3).isGreaterThan(-0.3);
    assertThat(unrelatedMax).isLessThan(0.6);
  }

  @Test
  void textWithoutWordsHasOneReservedVector() {
    float[] empty = embedder.embed("");
    assertThat(cos(empty, empty)).isCloseTo(1.0, within(1e-6));
    assertThat(embedder.embed("  ?! -- ")).containsExactly(empty);
    for (int i = 0; i < atLeast(20); i++) {
      assertThat(Math.abs(cos(empty, embedder.embed(String.join(" ", randomWords(random(), 5))))))
          .isLessThan(0.6);
    }
  }

  @Test
  void charNgramsRelateInflections() {
    TokenHashEmbedder grams = TokenHashEmbedder.builder().charNgrams(3, 0.5).build();
    assertThat(cos(grams.embed("running tests"), grams.embed("runner test")))
        .isGreaterThan(cos(embedder.embed("running tests"), embedder.embed("runner test")));
  }

  @Test
  void dimensionIsConfigurable() {
    TokenHashEmbedder e = TokenHashEmbedder.builder().dimension(64).build();
    assertThat(e.dimension()).isEqualTo(64);
    assertThat(e.embed("a b c")).hasSize(64);
    assertThatThrownBy(() -> TokenHashEmbedder.builder().dimension(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void embeddersSelectByNameWithoutFallback() {
    DenseTextModel d = Embedders.create(null);
    assertThat(d.name()).isEqualTo(TokenHashEmbedder.NAME);
    assertThat(Embedders.create("Token-Hash").name()).isEqualTo(TokenHashEmbedder.NAME);
    assertThat(Embedders.describe(d)).isEqualTo(new Embedders.Info(TokenHashEmbedder.NAME, 384));
    assertThatThrownBy(() -> Embedders.create("word2vec")).isInstanceOf(QuiverException.InvalidInput.class)
        .hasMessageContaining("word2vec").hasMessageContaining("minilm");
  }
}
