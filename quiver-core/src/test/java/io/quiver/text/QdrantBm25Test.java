package io.quiver.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.quiver.testing.RandomizedTest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class QdrantBm25Test extends RandomizedTest {
  private final QdrantBm25 bm25 = QdrantBm25.withDefaults();

  @Test
  void pangramTokensIdsAndWeights() {
    String text = "The quick brown fox jumps over the lazy dog";
    assertThat(bm25.tokens(text)).containsExactly("quick", "brown", "fox", "jump", "lazi", "dog");
    TermWeights doc = bm25.encodeDocument(text);
    // six tokens kept, each once: 1·2.2 / (1 + 1.2·(0.25 + 0.75·6/256))
    float w = (float) 1.6652867794036865;
    assertThat(doc.indices()).containsExactly(226376294, 741580288, 771291085, 1312749093, 1621867415, 1913189942);
    assertThat(doc.values()).containsOnly(w);
    TermWeights query = bm25.encodeQuery(text);
    assertThat(query.indices()).isEqualTo(doc.indices());
    assertThat(query.values()).containsOnly(1f);
  }

  @Test
  void repeatedTokensAndDocumentLength() {
    TermWeights doc = bm25.encodeDocument("fox, Fox! dog");
    // dl = 3; fox tf 2: 2·2.2/(2 + 1.2·(0.25 + 0.75·3/256)); dog tf 1
    assertThat(doc.weightOf(TokenIds.of("fox"))).isEqualTo((float) 1.9043110609054565);
    assertThat(doc.weightOf(TokenIds.of("dog"))).isEqualTo((float) 1.6786885261535645);
    assertThat(doc.size()).isEqualTo(2);
    TermWeights query = bm25.encodeQuery("fox fox dog");
    assertThat(query.size()).as("one entry of 1 per distinct token").isEqualTo(2);
    assertThat(query.values()).containsOnly(1f);
  }

  @Test
  void optionsChangeTheFormula() {
    QdrantBm25 custom = new QdrantBm25(Bm25Options.builder().k(2.0).b(0.5).avgLen(10).build());
    // 3·3/(3 + 2·(0.5 + 0.5·3/10))
    assertThat(custom.encodeDocument("fox fox fox").values()).containsExactly((float) 2.0930233001708984);
    QdrantBm25 meanLength = new QdrantBm25(Bm25Options.builder().avgLen(6).build());
    assertThat(meanLength.encodeDocument("The quick brown fox jumps over the lazy dog").values()).containsOnly(1f);
  }

  @Test
  void helloWorld() {
    assertThat(bm25.encodeQuery("Hello, World!").indices()).containsExactly(74040069, 613153351);
  }

  @Test
  void emptyAndAllStopWordsGiveEmptyVectors() {
    for (String text : List.of("", "   ", "!!! ... ---", "the of and, to be or not to be")) {
      assertThat(bm25.encodeDocument(text).isEmpty()).as(text).isTrue();
      assertThat(bm25.encodeQuery(text).isEmpty()).as(text).isTrue();
    }
  }

  @Test
  void stopWordsAreNltkEnglish() {
    assertThat(StopWords.NLTK_ENGLISH).hasSize(179).contains("the", "mustn't", "ourselves", "y", "ain");
    assertThat(bm25.tokens("Ourselves NOR very own")).isEmpty();
    // Lucene's English stop list has "such", "will"; NLTK's also "own", "very", "few"; neither "hello"
    assertThat(bm25.tokens("few hello")).containsExactly("hello");
    // contractions split at the apostrophe: "don" and "t" are stop words themselves
    assertThat(bm25.tokens("don't panic")).containsExactly("panic");
  }

  @Test
  void snowballEnglishStems() {
    assertThat(bm25.tokens("cats ponies running generously happiness caresses connected connecting"))
        .containsExactly("cat", "poni", "run", "generous", "happi", "caress", "connect", "connect");
  }

  @Test
  void splitsAtNonAlphanumericsIncludingUnderscoreAndKeepsOtherScripts() {
    assertThat(bm25.tokens("snake_case e-mail x2 Привет, мир!")).containsExactly("snake", "case", "e", "mail",
        "x2", "привет", "мир");
  }

  @Test
  void asciiFoldingBeforeLowercase() {
    QdrantBm25 folding = new QdrantBm25(Bm25Options.builder().asciiFolding(true).stemmer(Bm25Options.Stemmer.NONE)
        .build());
    assertThat(folding.tokens("Ação Crème BRÛLÉE")).containsExactly("acao", "creme", "brulee");
    QdrantBm25 plain = new QdrantBm25(Bm25Options.builder().stemmer(Bm25Options.Stemmer.NONE).build());
    assertThat(plain.tokens("Ação")).containsExactly("ação");
  }

  @Test
  void lowercaseOffKeepsCaseAndStopWordsMatchExactly() {
    QdrantBm25 cased = new QdrantBm25(Bm25Options.builder().lowercase(false).stemmer(Bm25Options.Stemmer.NONE)
        .build());
    assertThat(cased.tokens("The the Fox")).containsExactly("The", "Fox");
  }

  @Test
  void tokenLengthLimitsCountCodePointsAfterStemming() {
    QdrantBm25 limited = new QdrantBm25(Bm25Options.builder().minTokenLen(4).maxTokenLen(6).build());
    // "dogs" -> "dog" (3 < 4) and "running" -> "run" go; "elephants" (9) -> "eleph" (5) stays: measured after
    // stemming; "extraordinary" -> "extraordinari" (13 > 6) goes; "мирный" is 6 code points in 12 UTF-8 bytes
    assertThat(limited.tokens("dogs elephants running extraordinary gardens мирный"))
        .containsExactly("eleph", "garden", "мирный");
  }

  @Test
  void prefixTokenizerTruncatesAndKeepsStopWords() {
    QdrantBm25 prefix = new QdrantBm25(Bm25Options.builder().tokenizer(Bm25Options.TokenizerType.PREFIX)
        .maxTokenLen(4).build());
    assertThat(prefix.tokens("Hello, мир! the")).containsExactly("hell", "мир", "the");
  }

  @Test
  void whitespaceTokenizerKeepsPunctuation() {
    QdrantBm25 ws = new QdrantBm25(Bm25Options.builder().tokenizer(Bm25Options.TokenizerType.WHITESPACE)
        .stemmer(Bm25Options.Stemmer.NONE).build());
    assertThat(ws.tokens("e-mail\u00a0hello,\tworld the")).containsExactly("e-mail", "hello,", "world");
  }

  @Test
  void languageNoneTurnsOffStopWordsAndStemming() {
    QdrantBm25 none = new QdrantBm25(Bm25Options.builder().language("none").build());
    assertThat(none.tokens("The running cats")).containsExactly("the", "running", "cats");
  }

  @Test
  void customStopWordsReplaceTheLanguageList() {
    QdrantBm25 custom = new QdrantBm25(Bm25Options.builder()
        .stopwords(new Bm25Options.Stopwords(Set.of(), Set.of("Fox"))).build());
    assertThat(custom.tokens("the fox")).containsExactly("the");
  }

  @Test
  void collidingIdsKeepTheLaterFirstOccurrence() {
    int[] ids = {7, 3, 7};
    float[] values = {1f, 2f, 5f};
    TermWeights t = Bm25Weights.fromPairs(ids, values, 3);
    assertThat(t.indices()).containsExactly(3, 7);
    assertThat(t.values()).containsExactly(2f, 5f);
  }

  @Test
  void documentWeightsFollowTheFormulaOnRandomText() {
    Random r = random();
    String[] vocab = {"alpha", "beta", "gamma", "delta", "the", "of", "running", "runs", "Run", "x1", "ça", "мир"};
    for (int iter = 0; iter < atLeast(200); iter++) {
      StringBuilder sb = new StringBuilder();
      int n = r.nextInt(30);
      for (int i = 0; i < n; i++) {
        sb.append(vocab[r.nextInt(vocab.length)]).append(r.nextBoolean() ? " " : ", ");
      }
      String text = sb.toString();
      List<String> tokens = bm25.tokens(text);
      Map<String, Integer> counts = Bm25Weights.counts(tokens);
      TermWeights doc = bm25.encodeDocument(text);
      assertThat(doc.size()).as(text).isEqualTo(counts.size());
      for (Map.Entry<String, Integer> e : counts.entrySet()) {
        double tf = e.getValue();
        double expected = tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * tokens.size() / 256.0));
        assertThat((double) doc.weightOf(TokenIds.of(e.getKey()))).as(text).isCloseTo(expected,
            offset(1e-6));
      }
      Set<Integer> distinct = new LinkedHashSet<>();
      tokens.forEach(t -> distinct.add(TokenIds.of(t)));
      assertThat(bm25.encodeQuery(text).size()).isEqualTo(distinct.size());
    }
  }

  @Test
  void deterministicAcrossInstancesAndThreads() throws Exception {
    Random r = random();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < atLeast(50); i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < 40; j++) {
        sb.append((char) ('a' + r.nextInt(6))).append(r.nextInt(4) == 0 ? " " : "");
      }
      texts.add(sb.toString());
    }
    List<TermWeights> expected = texts.stream().map(bm25::encodeDocument).toList();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<TermWeights>>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        QdrantBm25 other = QdrantBm25.withDefaults();
        futures.add(pool.submit(() -> texts.stream().map(other::encodeDocument).toList()));
      }
      for (Future<List<TermWeights>> f : futures) {
        assertThat(f.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdown();
    }
  }
}
