package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.text.DenseTextModel;
import io.quiver.text.DenseTextModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Document}s of {@code sentence-transformers/all-MiniLM-L6-v2} for dense fields: upserted and queried with
 * text alone (top level, {@code nearest}, prefetch), the stored vector the model's own, and bad input a 400 that
 * names the path and changes nothing.
 */
class DenseDocumentEndpointsTest {
  private static final String MODEL = "sentence-transformers/all-MiniLM-L6-v2";
  private static final String CREATE = "{\"vectors\":{\"text\":{\"size\":384,\"distance\":\"Cosine\"},"
      + "\"small\":{\"size\":8,\"distance\":\"Cosine\"}},\"sparse_vectors\":{\"bm25\":{\"modifier\":\"idf\"}}}";
  private static final List<String> SENTENCES = List.of(
      "The cat sleeps on the warm windowsill all afternoon.",
      "Interest rates were raised by the central bank to curb inflation.",
      "The wing's lift increases with the angle of attack until the flow separates.",
      "Vaccines train the immune system to recognise a virus.",
      "She scored the winning goal in the last minute of the final.",
      "Photosynthesis turns sunlight, water and carbon dioxide into sugar.",
      "The compiler reports an error when a variable is used before it is declared.",
      "Bake the bread at two hundred degrees for forty minutes.",
      "Glaciers retreat as average temperatures rise.",
      "The orchestra tuned their instruments before the symphony began.",
      "A vector database finds the nearest neighbours of an embedding.",
      "Mount Everest is the highest mountain above sea level.");

  @TempDir Path dir;

  private static Random random() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    System.out.println("DenseDocumentEndpointsTest seed " + seed + " (replay with -Dtests.seed=" + seed + ")");
    return new Random(seed);
  }

  private static ObjectNode doc(String text, String model) {
    return ServerHarness.JSON.createObjectNode().put("text", text).put("model", model);
  }

  private static double cosine(JsonNode a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < b.length; i++) {
      dot += a.get(i).doubleValue() * b[i];
      na += a.get(i).doubleValue() * a.get(i).doubleValue();
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void textInAndTextOut() throws Exception {
    Random r = random();
    List<String> texts = new ArrayList<>(SENTENCES);
    Collections.shuffle(texts, r);
    texts = texts.subList(0, 6 + r.nextInt(texts.size() - 5));
    DenseTextModel model = DenseTextModels.find(MODEL.toUpperCase()).orElseThrow();
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", CREATE);
      ObjectNode body = ServerHarness.JSON.createObjectNode();
      ArrayNode points = body.putArray("points");
      int half = texts.size() / 2;
      for (int i = 0; i < half; i++) {
        ObjectNode v = points.addObject().put("id", i).putObject("vector");
        v.set("text", doc(texts.get(i), r.nextBoolean() ? MODEL : MODEL.toLowerCase()));
        v.set("bm25", doc(texts.get(i), "qdrant/bm25"));
      }
      s.ok("PUT", "/collections/c/points?wait=true", body.toString());
      ObjectNode batch = ServerHarness.JSON.createObjectNode();
      ObjectNode b = batch.putObject("batch");
      ArrayNode ids = b.putArray("ids");
      ArrayNode dense = b.putObject("vectors").putArray("text");
      for (int i = half; i < texts.size(); i++) {
        ids.add(i);
        dense.add(doc(texts.get(i), MODEL));
      }
      s.ok("PUT", "/collections/c/points?wait=true", batch.toString());

      List<float[]> direct = model.embed(texts);
      for (int i = 0; i < texts.size(); i++) {
        JsonNode stored = s.ok("GET", "/collections/c/points/" + i, null).get("vector").get("text");
        assertThat(stored).hasSize(384);
        assertThat(cosine(stored, direct.get(i))).as(texts.get(i)).isGreaterThan(0.9999);
        String q = "{\"query\":" + doc(texts.get(i), MODEL) + ",\"using\":\"text\",\"limit\":3}";
        JsonNode top = s.ok("POST", "/collections/c/points/query", q).get("points").get(0);
        assertThat(top.get("id").asInt()).as(texts.get(i)).isEqualTo(i);
        assertThat(top.get("score").doubleValue()).isGreaterThan(0.999);
        String nearest = "{\"query\":{\"nearest\":" + doc(texts.get(i), MODEL) + "},\"using\":\"text\"}";
        assertThat(s.ok("POST", "/collections/c/points/query", nearest).get("points").get(0).get("id").asInt())
            .isEqualTo(i);
      }
      // a Document as a recommend example stands for its vector
      int e = r.nextInt(texts.size());
      String rec = "{\"query\":{\"recommend\":{\"positive\":[" + doc(texts.get(e), MODEL) + "]}},\"using\":\"text\"}";
      assertThat(s.ok("POST", "/collections/c/points/query", rec).get("points").get(0).get("id").asInt())
          .isEqualTo(e);
      // hybrid by text alone: a dense and a sparse prefetch, fused
      int i = r.nextInt(half);
      String hybrid = "{\"prefetch\":[{\"query\":" + doc(texts.get(i), MODEL) + ",\"using\":\"text\"},"
          + "{\"query\":" + doc(texts.get(i), "qdrant/bm25") + ",\"using\":\"bm25\"}],\"query\":{\"fusion\":\"rrf\"}}";
      assertThat(s.ok("POST", "/collections/c/points/query", hybrid).get("points").get(0).get("id").asInt())
          .isEqualTo(i);
    }
  }

  @Test
  void badDenseDocumentsAre400sNamingThePathAndChangeNothing() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", CREATE);
      s.ok("PUT", "/collections/c/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":{\"text\":"
          + doc("a dog", MODEL) + "}}]}");
      String ok = "{\"id\":2,\"vector\":{\"text\":" + doc("cats", MODEL) + "}}";
      Map<String, String> cases = new LinkedHashMap<>();
      cases.put("{\"points\":[" + ok + ",{\"id\":3,\"vector\":{\"small\":" + doc("x", MODEL) + "}}]}",
          "body.points[1].vector.small: " + MODEL + " gives 384-dimensional vectors, but 'small' has size 8");
      cases.put("{\"points\":[" + ok + ",{\"id\":3,\"vector\":{\"text\":" + doc("x", "all-minilm") + "}}]}",
          "body.points[1].vector.text.model: unknown model 'all-minilm'; dense models: [" + MODEL + "]");
      cases.put("{\"points\":[" + ok + ",{\"id\":3,\"vector\":{\"text\":{\"text\":\"x\",\"model\":\"" + MODEL
          + "\",\"options\":{\"max_tokens\":128}}}}]}", "body.points[1].vector.text.options: " + MODEL
          + " takes no options");
      cases.put("{\"points\":[" + ok + ",{\"id\":3,\"vector\":{\"bm25\":" + doc("x", MODEL) + "}}]}",
          "body.points[1].vector.bm25.model: '" + MODEL + "' is a dense model");
      cases.put("{\"batch\":{\"ids\":[2,3],\"vectors\":{\"text\":[" + doc("a", MODEL) + "," + doc("b", "x/y")
          + "]}}}", "body.batch.vectors.text[1].model: unknown model 'x/y'");
      for (Map.Entry<String, String> e : cases.entrySet()) {
        assertThat(s.error("PUT", "/collections/c/points?wait=true", e.getKey(), 400)).as(e.getKey())
            .contains(e.getValue());
        assertThat(s.ok("POST", "/collections/c/points/count", "{}").get("count").asInt()).isEqualTo(1);
      }
      assertThat(s.error("POST", "/collections/c/points/query", "{\"query\":" + doc("dog", "nope")
          + ",\"using\":\"text\"}", 400)).contains("body.query.model: unknown model 'nope'");
      assertThat(s.error("POST", "/collections/c/points/query", "{\"prefetch\":[{\"query\":" + doc("dog", MODEL)
          + ",\"using\":\"small\"}],\"query\":{\"fusion\":\"rrf\"}}", 400))
          .contains("body.prefetch[0].query: " + MODEL + " gives 384-dimensional vectors, but 'small' has size 8");
    }
  }
}
