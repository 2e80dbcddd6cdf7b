package io.quiver.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.testing.RandomizedTest;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class QuiverBm25Test extends RandomizedTest {
  @Test
  void luceneEnglishAnalysis() {
    try (QuiverBm25 enc = new QuiverBm25(QuiverBm25.Config.DEFAULTS, CorpusStats.fixed(5))) {
      // possessive 's removed, decimals kept whole by UAX#29, NLTK stop words, Snowball English
      assertThat(enc.terms("John's dogs ran 3.5 km, and the cats were running"))
          .containsExactly("john", "dog", "ran", "3.5", "km", "cat", "run");
      assertThat(enc.documentLength("The of and")).isZero();
    }
  }

  @Test
  void documentValuesUseTheCollectionsMeanLength() {
    AtomicReference<Double> avg = new AtomicReference<>(5.0);
    try (QuiverBm25 enc = new QuiverBm25(QuiverBm25.Config.DEFAULTS, avg::get)) {
      String text = "John's dogs ran 3.5 km";
      // five terms at mean 5: 1·2.2 / (1 + 1.2·(0.25 + 0.75·5/5)) = 1
      TermWeights atMean = enc.encodeDocument(text);
      assertThat(atMean.size()).isEqualTo(5);
      assertThat(atMean.values()).containsOnly(1f);
      assertThat(atMean.weightOf(TokenIds.of("dog"))).isEqualTo(1f);
      avg.set(10.0);
      // shorter than the mean weighs more: 2.2 / (1 + 1.2·(0.25 + 0.75·0.5))
      assertThat(enc.encodeDocument(text).values()).containsOnly((float) (2.2 / (1 + 1.2 * 0.625)));
      avg.set(0.0);
      assertThat(enc.encodeDocument(text).values()).as("empty collection: avgdl = dl").containsOnly(1f);
    }
  }

  @Test
  void queryWeightsSaturateRepeatedTerms() {
    try (QuiverBm25 enc = new QuiverBm25(QuiverBm25.Config.DEFAULTS, CorpusStats.fixed(5))) {
      TermWeights q = enc.encodeQuery("dogs dogs cat");
      // dog: 2·2.2/(2 + 1.2); cat: 1·2.2/(1 + 1.2) = 1
      assertThat(q.weightOf(TokenIds.of("dog"))).isEqualTo((float) (4.4 / 3.2));
      assertThat(q.weightOf(TokenIds.of("cat"))).isEqualTo(1f);
      assertThat(enc.encodeQuery("").isEmpty()).isTrue();
    }
    QuiverBm25.Config count = new QuiverBm25.Config(1.2, 0.75, EnglishAnalysis.StopList.NLTK,
        EnglishAnalysis.Stemming.SNOWBALL, QuiverBm25.QueryWeighting.COUNT);
    try (QuiverBm25 enc = new QuiverBm25(count, CorpusStats.fixed(5))) {
      assertThat(enc.encodeQuery("dogs dogs cat").weightOf(TokenIds.of("dog"))).isEqualTo(2f);
    }
  }

  @Test
  void configValidation() {
    assertThatThrownBy(() -> QuiverBm25.Config.DEFAULTS.withK1(Double.NaN)).hasMessageContaining("k must be");
    assertThatThrownBy(() -> QuiverBm25.Config.DEFAULTS.withB(-0.1)).hasMessageContaining("b must be between 0 and 1");
  }

  @Test
  void deterministic() {
    Random r = random();
    String[] words = {"Flow", "flows", "wing's", "3.5", "the", "über", "naïve", "x-ray", "e.g.", "mach"};
    try (QuiverBm25 a = new QuiverBm25(QuiverBm25.Config.DEFAULTS, CorpusStats.fixed(7));
        QuiverBm25 b = new QuiverBm25(QuiverBm25.Config.DEFAULTS, CorpusStats.fixed(7))) {
      for (int i = 0; i < atLeast(100); i++) {
        StringBuilder sb = new StringBuilder();
        for (int j = r.nextInt(20); j > 0; j--) {
          sb.append(words[r.nextInt(words.length)]).append(' ');
        }
        String text = sb.toString();
        assertThat(b.encodeDocument(text)).isEqualTo(a.encodeDocument(text));
        assertThat(b.encodeQuery(text)).isEqualTo(a.encodeQuery(text));
        assertThat(a.encodeDocument(text).size()).isEqualTo(Bm25Weights.counts(a.terms(text)).size());
      }
    }
  }

  @Test
  void lengthIsReadBackFromStoredValues() {
    Random r = random();
    String[] words = {"alpha", "beta", "gamma", "delta", "kappa", "omega", "zeta", "theta", "sigma", "lambda"};
    for (int iter = 0; iter < atLeast(200); iter++) {
      double mean = 1 + r.nextDouble() * 300;
      double k1 = 0.2 + r.nextDouble() * 2.5;
      QuiverBm25.Config config = QuiverBm25.Config.DEFAULTS.withK1(k1).withB(r.nextDouble());
      try (QuiverBm25 enc = new QuiverBm25(config, CorpusStats.fixed(mean))) {
        StringBuilder text = new StringBuilder("unique");
        int n = r.nextInt(60);
        for (int i = 0; i < n; i++) {
          text.append(' ').append(words[r.nextInt(words.length)]);
        }
        TermWeights w = enc.encodeDocument(text.toString());
        assertThat(QuiverBm25.lengthOf(w.values(), k1)).as("%s at mean %s, k1 %s", text, mean, k1)
            .isEqualTo(enc.documentLength(text.toString()));
      }
    }
    assertThat(QuiverBm25.lengthOf(new float[0], 1.2)).isZero();
    assertThat(QuiverBm25.lengthOf(new float[] {1f, 1f, 1f}, 0)).isEqualTo(3);
  }
}
