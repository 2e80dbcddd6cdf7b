package io.quiver.cli.retrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.Quiver;
import io.quiver.text.QdrantBm25;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code quiver bench-retrieval}: loads BEIR-format folders through the REST API (a server at {@code --url}, or one
 * started in this process over a temporary database) with the text as Qdrant {@code Document}s, and prints nDCG@10
 * and recall@100 per method: BM25 by {@code qdrant/bm25} (its default {@code avg_len} 256, and {@code avg_len} set
 * to the corpus mean of its own token counts), {@code quiver/bm25}, dense (the folder's vectors, else
 * {@code sentence-transformers/all-MiniLM-L6-v2} Documents embedded by the server), RRF fusion of dense with each
 * BM25 (Qdrant's default {@code k} = 2, each prefetch {@code --prefetch} deep), DBSF of re-scored unions, and
 * Quiver's fixed recipe ({@link HybridRecipe}).
 */
@Command(name = "bench-retrieval", mixinStandardHelpOptions = true,
    description = "nDCG@10 and recall@100 of BM25 (qdrant/bm25, quiver/bm25), dense and RRF fusion on BEIR-format"
        + " folders, loaded through the REST API with Document inference.",
    footer = {"", "Example: ./quiver bench-retrieval /work/shared/datasets/scifact-minilm-384-cosine",
        "         ./quiver bench-retrieval --gain 5-minus-grade /work/shared/datasets/cranfield-text"})
public final class RetrievalBenchCommand implements Callable<Integer> {
  /** How a qrels score becomes a gain. */
  enum Gain {
    /** The score itself (SciFact: 1). */
    SCORE(g -> g),
    /** {@code 5 - grade}: Cranfield's grade 1 is the most relevant. */
    FIVE_MINUS_GRADE(g -> 5 - g);

    final IntUnaryOperator op;

    Gain(IntUnaryOperator op) {
      this.op = op;
    }
  }

  /**
   * One retrieval method: the query request of query number {@code q}; with {@code then}, that request is a first
   * pass and {@code then} makes the final request from its result.
   */
  private record Method(String name, IntFunction<ObjectNode> request, BiFunction<Integer, JsonNode, ObjectNode> then) {
    Method(String name, IntFunction<ObjectNode> request) {
      this(name, request, null);
    }
  }

  /** The dense model of folders without vectors. */
  static final String DENSE_MODEL = "sentence-transformers/all-MiniLM-L6-v2";
  static final int DENSE_MODEL_SIZE = 384;

  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "DIR", description = "BEIR-format folders")
  List<Path> folders;

  @Option(names = "--url", description = "a running server; default: one started here over a temporary database")
  String url;

  @Option(names = "--gain", defaultValue = "score", converter = GainConverter.class,
      description = "qrels score to gain: score or 5-minus-grade (default: ${DEFAULT-VALUE})")
  Gain gain;

  @Option(names = "--prefetch", defaultValue = "200", description = "depth of each fused list (default: ${DEFAULT-VALUE})")
  int prefetch;

  @Option(names = "--batch", defaultValue = "256", description = "points per upsert request (default: ${DEFAULT-VALUE})")
  int batch;

  static final class GainConverter implements ITypeConverter<Gain> {
    @Override
    public Gain convert(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "score" -> Gain.SCORE;
        case "5-minus-grade" -> Gain.FIVE_MINUS_GRADE;
        default -> throw new TypeConversionException("expected score or 5-minus-grade, got '" + s + "'");
      };
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    BenchServer.run(url, "quiver-bench-retrieval", rest -> run(rest, out));
    return 0;
  }

  private void run(RestSession rest, PrintWriter out) throws IOException {
    for (Path dir : folders) {
      BeirFolder set = BeirFolder.load(dir, gain.op);
      out.printf("%s: %d documents, %d judged queries%s%n", set.name(), set.docIds().size(), set.queryIds().size(),
          set.hasVectors() ? ", dense vectors of " + set.docVectors()[0].length + " dimensions"
              : ", no vectors: dense by " + DENSE_MODEL + " Documents");
      out.flush();
      String c = "bench_retrieval_" + set.name().replaceAll("[^A-Za-z0-9_-]", "_");
      double meanLen = qdrantMeanLength(set);
      long t0 = System.nanoTime();
      load(rest, c, set, meanLen);
      out.printf("loaded in %.1f s; qdrant/bm25 corpus mean length %.2f tokens%n",
          (System.nanoTime() - t0) / 1e9, meanLen);
      out.printf("%-34s %9s %11s %9s%n", "method", "nDCG@10", "recall@100", "q/s");
      for (Method m : methods(set, meanLen)) {
        long t = System.nanoTime();
        double[] r = evaluate(rest, c, set, m);
        double qps = set.queryIds().size() / ((System.nanoTime() - t) / 1e9);
        out.printf("%-34s %9.4f %11.4f %9.0f%n", m.name(), r[0], r[1], qps);
        out.flush();
      }
      rest.call("DELETE", "/collections/" + c, null, true);
    }
  }

  /** The mean number of tokens qdrant/bm25 keeps per document: the avg_len that fits this corpus. */
  private static double qdrantMeanLength(BeirFolder set) {
    QdrantBm25 enc = QdrantBm25.withDefaults();
    return set.docTexts().stream().mapToInt(t -> enc.tokens(t).size()).average().orElse(0);
  }

  private void load(RestSession rest, String c, BeirFolder set, double meanLen) throws IOException {
    rest.call("DELETE", "/collections/" + c, null, true);
    ObjectNode create = RestSession.JSON.createObjectNode();
    ObjectNode vectors = create.putObject("vectors");
    vectors.putObject("dense").put("size", set.hasVectors() ? set.docVectors()[0].length : DENSE_MODEL_SIZE)
        .put("distance", "Cosine");
    ObjectNode sparse = create.putObject("sparse_vectors");
    for (String f : List.of("bm25", "bm25_mean", "quiver")) {
      sparse.putObject(f).put("modifier", "idf");
    }
    rest.call("PUT", "/collections/" + c, create);
    for (int from = 0; from < set.docIds().size(); from += batch) {
      ObjectNode body = RestSession.JSON.createObjectNode();
      ArrayNode points = body.putArray("points");
      for (int i = from; i < Math.min(set.docIds().size(), from + batch); i++) {
        ObjectNode v = points.addObject().put("id", i).putObject("vector");
        String text = set.docTexts().get(i);
        if (set.hasVectors()) {
          floats(v.putArray("dense"), set.docVectors()[i]);
        } else {
          v.set("dense", doc(text, DENSE_MODEL));
        }
        v.set("bm25", doc(text, QdrantBm25.MODEL));
        ObjectNode withMean = doc(text, QdrantBm25.MODEL);
        withMean.putObject("options").put("avg_len", meanLen);
        v.set("bm25_mean", withMean);
        v.set("quiver", doc(text, "quiver/bm25"));
      }
      rest.call("PUT", "/collections/" + c + "/points?wait=true", body);
    }
  }

  private List<Method> methods(BeirFolder set, double meanLen) {
    List<Method> ms = new ArrayList<>();
    IntFunction<ObjectNode> qdrant = q -> nearest(doc(set.queryTexts().get(q), QdrantBm25.MODEL), "bm25");
    IntFunction<ObjectNode> qdrantMean = q -> nearest(doc(set.queryTexts().get(q), QdrantBm25.MODEL), "bm25_mean");
    IntFunction<ObjectNode> quiver = q -> nearest(doc(set.queryTexts().get(q), "quiver/bm25"), "quiver");
    ms.add(new Method("bm25 qdrant/bm25 (avg_len 256)", q -> qdrant.apply(q).put("limit", 100)));
    ms.add(new Method(String.format(Locale.ROOT, "bm25 qdrant/bm25 (avg_len %.1f)", meanLen),
        q -> qdrantMean.apply(q).put("limit", 100)));
    ms.add(new Method("bm25 quiver/bm25", q -> quiver.apply(q).put("limit", 100)));
    IntFunction<JsonNode> denseQuery = q -> set.hasVectors()
        ? floats(RestSession.JSON.createArrayNode(), set.queryVectors()[q]) : doc(set.queryTexts().get(q), DENSE_MODEL);
    IntFunction<ObjectNode> dense = q -> {
      ObjectNode o = RestSession.JSON.createObjectNode();
      o.set("query", denseQuery.apply(q));
      return o.put("using", "dense");
    };
    ms.add(new Method("dense", q -> dense.apply(q).put("limit", 100)));
    ms.add(new Method("rrf dense + qdrant/bm25 (256)", q -> fused(dense.apply(q), qdrant.apply(q))));
    // RRF at k = 2 ties often (rank r in one list alone scores as rank r in the other); Qdrant leaves ties in
    // hash order, Quiver in prefetch order, so the same pair in the other order shows how much ties weigh
    ms.add(new Method("rrf qdrant/bm25 (256) + dense", q -> fused(qdrant.apply(q), dense.apply(q))));
    ms.add(new Method("rrf dense + qdrant/bm25 (mean)", q -> fused(dense.apply(q), qdrantMean.apply(q))));
    ms.add(new Method("rrf dense + quiver/bm25", q -> fused(dense.apply(q), quiver.apply(q))));
    HybridRecipe recipe = new HybridRecipe("quiver", "dense", prefetch);
    IntFunction<JsonNode> words = q -> doc(set.queryTexts().get(q), "quiver/bm25");
    ms.add(new Method("dbsf rescored dense + quiver/bm25",
        q -> recipe.firstPass(words.apply(q), denseQuery.apply(q)).put("limit", 100).put("with_vector", false)));
    ms.add(new Method("recipe (dbsf + dense feedback)", q -> recipe.firstPass(words.apply(q), denseQuery.apply(q)),
        (q, first) -> recipe.finalPass(words.apply(q), denseQuery.apply(q), first, 100)));
    return ms;
  }

  private ObjectNode fused(ObjectNode a, ObjectNode b) {
    ObjectNode o = RestSession.JSON.createObjectNode();
    ArrayNode p = o.putArray("prefetch");
    p.add(a.put("limit", prefetch));
    p.add(b.put("limit", prefetch));
    o.putObject("query").put("fusion", "rrf");
    return o.put("limit", 100);
  }

  private static ObjectNode nearest(ObjectNode document, String using) {
    ObjectNode o = RestSession.JSON.createObjectNode();
    o.set("query", document);
    return o.put("using", using);
  }

  private static ObjectNode doc(String text, String model) {
    return RestSession.JSON.createObjectNode().put("text", text).put("model", model);
  }

  private static ArrayNode floats(ArrayNode a, float[] v) {
    for (float x : v) {
      a.add(x);
    }
    return a;
  }

  /** Mean nDCG@10 and recall@100 over the judged queries, sent 32 a request through /points/query/batch. */
  private static double[] evaluate(RestSession rest, String c, BeirFolder set, Method m) throws IOException {
    double ndcg = 0;
    double recall = 0;
    int n = set.queryIds().size();
    for (int from = 0; from < n; from += 32) {
      ObjectNode body = RestSession.JSON.createObjectNode();
      ArrayNode searches = body.putArray("searches");
      int to = Math.min(n, from + 32);
      for (int q = from; q < to; q++) {
        searches.add(m.request().apply(q));
      }
      JsonNode results = rest.call("POST", "/collections/" + c + "/points/query/batch", body);
      if (m.then() != null) {
        ObjectNode second = RestSession.JSON.createObjectNode();
        ArrayNode finals = second.putArray("searches");
        for (int q = from; q < to; q++) {
          finals.add(m.then().apply(q, results.get(q - from)));
        }
        results = rest.call("POST", "/collections/" + c + "/points/query/batch", second);
      }
      for (int q = from; q < to; q++) {
        List<String> ranked = new ArrayList<>();
        for (JsonNode p : results.get(q - from).get("points")) {
          ranked.add(set.docIds().get(p.get("id").asInt()));
        }
        ndcg += RankingMetrics.ndcgAt10(ranked, set.gains().get(q));
        recall += RankingMetrics.recallAt100(ranked, set.gains().get(q));
      }
    }
    return new double[] {ndcg / n, recall / n};
  }
}
