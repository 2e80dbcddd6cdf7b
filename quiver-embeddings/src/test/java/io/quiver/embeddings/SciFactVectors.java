package io.quiver.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared SciFact folder: document texts ({@code title + " " + text}) in the row order of {@code base.fvecs}
 * (the ids of {@code base_doc_ids.txt}), and those rows.
 */
record SciFactVectors(List<String> texts, List<float[]> vectors) {
  /** {@code -Dquiver.datasets}, else shared/ beside the repository. */
  static Path dir() {
    return Path.of(System.getProperty("quiver.datasets", "../../shared/datasets"), "scifact-minilm-384-cosine");
  }

  static SciFactVectors load(Path dir) {
    try {
      ObjectMapper mapper = new ObjectMapper();
      Map<String, String> byId = new HashMap<>();
      for (String line : Files.readAllLines(dir.resolve("corpus.jsonl"))) {
        if (!line.isBlank()) {
          JsonNode n = mapper.readTree(line);
          byId.put(n.get("_id").asText(), n.path("title").asText("") + " " + n.path("text").asText(""));
        }
      }
      List<String> texts = new ArrayList<>();
      for (String id : Files.readAllLines(dir.resolve("base_doc_ids.txt"))) {
        if (!id.isBlank()) {
          texts.add(byId.get(id.trim()));
        }
      }
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("base.fvecs"))).order(ByteOrder.LITTLE_ENDIAN);
      List<float[]> vectors = new ArrayList<>();
      while (b.hasRemaining()) {
        float[] v = new float[b.getInt()];
        for (int i = 0; i < v.length; i++) {
          v[i] = b.getFloat();
        }
        vectors.add(v);
      }
      return new SciFactVectors(texts, vectors);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
