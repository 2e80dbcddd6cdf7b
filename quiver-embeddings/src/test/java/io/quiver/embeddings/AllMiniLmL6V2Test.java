package io.quiver.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quiver.text.DenseTextModel;
import io.quiver.text.DenseTextModels;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * all-MiniLM-L6-v2 from the shipped jar: unit vectors, batching that changes nothing, the cut at 256 word pieces,
 * and agreement with the vectors shipped with the SciFact set (which were made with the jar's own cut at 128 word
 * pieces: an encoder cut at 128 must reproduce every one of them, ours at 256 those of documents that fit in 128).
 */
class AllMiniLmL6V2Test {
  private static SentenceEncoder at128;
  private static final DenseTextModel MODEL = DenseTextModels.find("Sentence-Transformers/All-MiniLM-L6-v2")
      .orElseThrow();

  @BeforeAll
  static void open() {
    at128 = new SentenceEncoder(AllMiniLmL6V2.config(128).build());
  }

  @AfterAll
  static void close() {
    at128.close();
  }

  private static Random random() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    System.out.println("AllMiniLmL6V2Test seed " + seed + " (replay with -Dtests.seed=" + seed + ")");
    return new Random(seed);
  }

  private static String words(Random r, int n) {
    String[] w = {"lift", "wing", "protein", "cell", "the", "of", "vaccine", "flow", "boundary", "layer", "mice",
        "naïve", "U.S.A.", "antibody", "supersonic", "42", "tumour", "expression", "-", "(p < 0.05)"};
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : " ").append(w[r.nextInt(w.length)]);
    }
    return sb.toString();
  }

  @Test
  void theModelIsFoundByNameInAnyCase() {
    assertThat(MODEL.name()).isEqualTo(AllMiniLmL6V2.NAME);
    assertThat(MODEL.dimension()).isEqualTo(384);
    assertThat(DenseTextModels.find("all-MiniLM-L6-v2")).isEmpty();
    assertThat(DenseTextModels.names()).containsExactly(AllMiniLmL6V2.NAME);
  }

  @Test
  void batchesGiveTheVectorsOfSingleTexts() {
    Random r = random();
    List<String> texts = new ArrayList<>();
    int n = 40 + r.nextInt(40); // more than one batch of 32, of mixed lengths so that padding differs
    for (int i = 0; i < n; i++) {
      texts.add(r.nextInt(10) == 0 ? "" : words(r, 1 + r.nextInt(r.nextBoolean() ? 20 : 300)));
    }
    List<float[]> batch = MODEL.embed(texts);
    assertThat(batch).hasSize(n);
    for (int k = 0; k < 8; k++) {
      int i = r.nextInt(n);
      float[] alone = MODEL.embed(List.of(texts.get(i))).getFirst();
      assertThat(SciFactVectors.cosine(batch.get(i), alone)).as(texts.get(i)).isGreaterThan(0.99999);
      double norm = 0;
      for (float x : batch.get(i)) {
        norm += x * x;
      }
      assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
    assertThat(MODEL.embed(List.of())).isEmpty();
  }

  @Test
  void longTextsAreCutAt256WordPieces() {
    Random r = random();
    String shortText = words(r, 30);
    String longText = words(r, 600);
    try (SentenceEncoder e = new SentenceEncoder(AllMiniLmL6V2.config(AllMiniLmL6V2.MAX_TOKENS).build())) {
      assertThat(e.tokenIds(longText)).hasSize(256);
      assertThat(e.tokenIds(shortText).length).isLessThan(128);
      long[] cut = e.tokenIds(longText);
      assertThat(cut[0]).isEqualTo(101); // [CLS]
      assertThat(cut[255]).isEqualTo(102); // [SEP]
      // text past the 256th word piece changes nothing; within it, it does
      String longer = longText + " " + words(r, 50);
      assertThat(SciFactVectors.cosine(MODEL.embed(List.of(longText)).getFirst(),
          MODEL.embed(List.of(longer)).getFirst())).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
      assertThat(at128.tokenIds(longText)).hasSize(128);
    }
  }

  @Test
  void shippedSciFactVectorsAreReproduced() {
    assumeTrue(Files.isDirectory(SciFactVectors.dir()),
        "skipped: the shared SciFact set is not at " + SciFactVectors.dir().toAbsolutePath());
    SciFactVectors set = SciFactVectors.load(SciFactVectors.dir());
    Random r = random();
    List<Integer> sample = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      sample.add(r.nextInt(set.texts().size()));
    }
    List<String> texts = sample.stream().map(set.texts()::get).toList();
    List<float[]> ours = MODEL.embed(texts);
    List<float[]> cut128 = at128.embed(texts);
    int fits = 0;
    for (int k = 0; k < sample.size(); k++) {
      float[] shipped = set.vectors().get(sample.get(k));
      assertThat(SciFactVectors.cosine(cut128.get(k), shipped)).as("row %d", sample.get(k)).isGreaterThan(0.999);
      if (at128.tokenIds(texts.get(k)).length < 128) { // the whole text fits under both cuts
        fits++;
        assertThat(SciFactVectors.cosine(ours.get(k), shipped)).as("row %d", sample.get(k)).isGreaterThan(0.999);
      }
    }
    System.out.println("AllMiniLmL6V2Test: " + fits + " of " + sample.size() + " sampled documents fit in 128");
    // most abstracts are longer than 128 word pieces: sample among those that are not
    List<Integer> fitting = new ArrayList<>();
    for (int i = 0; i < set.texts().size(); i++) {
      if (at128.tokenIds(set.texts().get(i)).length < 128) {
        fitting.add(i);
      }
    }
    assertThat(fitting).isNotEmpty();
    List<Integer> shortOnes = new ArrayList<>();
    for (int k = 0; k < 8; k++) {
      shortOnes.add(fitting.get(r.nextInt(fitting.size())));
    }
    List<float[]> embedded = MODEL.embed(shortOnes.stream().map(set.texts()::get).toList());
    for (int k = 0; k < shortOnes.size(); k++) {
      assertThat(SciFactVectors.cosine(embedded.get(k), set.vectors().get(shortOnes.get(k))))
          .as("row %d", shortOnes.get(k)).isGreaterThan(0.999);
    }
  }
}
