package io.quiver.cli.retrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.dataset.Texmex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * A BEIR-format folder: {@code corpus.jsonl} and {@code queries.jsonl} ({@code _id}, {@code title}, {@code text}),
 * {@code qrels/test.tsv} (a header, then {@code query-id corpus-id score}), and optionally dense vectors
 * ({@code base.fvecs} rows in the order of {@code base_doc_ids.txt}, {@code query.fvecs} in that of
 * {@code query_ids.txt}). A document's text is {@code title + " " + text}, as BEIR's evaluation joins them; the
 * queries are those with a positive gain, in qrels order. Dense vectors are null when the folder has none.
 */
record BeirFolder(String name, List<String> docIds, List<String> docTexts, float[][] docVectors,
    List<String> queryIds, List<String> queryTexts, float[][] queryVectors, List<Map<String, Integer>> gains) {

  static BeirFolder load(Path dir, IntUnaryOperator gain) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<String> docIds = new ArrayList<>();
    List<String> docTexts = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("corpus.jsonl"))) {
      if (!line.isBlank()) {
        JsonNode n = mapper.readTree(line);
        docIds.add(n.get("_id").asText());
        docTexts.add(n.path("title").asText("") + " " + n.path("text").asText(""));
      }
    }
    Map<String, String> queries = new HashMap<>();
    for (String line : Files.readAllLines(dir.resolve("queries.jsonl"))) {
      if (!line.isBlank()) {
        JsonNode n = mapper.readTree(line);
        queries.put(n.get("_id").asText(), n.path("text").asText(""));
      }
    }
    Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(dir.resolve("qrels").resolve("test.tsv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t");
      if (f.length == 3) {
        int g = gain.applyAsInt(Integer.parseInt(f[2].trim()));
        if (g > 0) {
          qrels.computeIfAbsent(f[0], k -> new HashMap<>()).put(f[1], g);
        }
      }
    }
    List<String> queryIds = new ArrayList<>(qrels.keySet());
    List<String> queryTexts = new ArrayList<>();
    for (String q : queryIds) {
      String t = queries.get(q);
      if (t == null) {
        throw new IOException(dir + ": qrels name query " + q + ", which queries.jsonl lacks");
      }
      queryTexts.add(t);
    }
    float[][] docVectors = null;
    float[][] queryVectors = null;
    if (Files.isRegularFile(dir.resolve("base.fvecs")) && Files.isRegularFile(dir.resolve("query.fvecs"))) {
      docVectors = aligned(Texmex.readVectors(dir.resolve("base.fvecs"), -1),
          Files.readAllLines(dir.resolve("base_doc_ids.txt")), docIds, "base");
      queryVectors = aligned(Texmex.readVectors(dir.resolve("query.fvecs"), -1),
          Files.readAllLines(dir.resolve("query_ids.txt")), queryIds, "query");
    }
    return new BeirFolder(dir.getFileName().toString(), docIds, docTexts, docVectors, queryIds, queryTexts,
        queryVectors, new ArrayList<>(qrels.values()));
  }

  /** The rows of {@code rows} (named by {@code rowIds}) in the order of {@code wanted}. */
  private static float[][] aligned(float[][] rows, List<String> rowIds, List<String> wanted, String what)
      throws IOException {
    Map<String, Integer> at = new HashMap<>();
    for (int i = 0; i < Math.min(rows.length, rowIds.size()); i++) {
      at.put(rowIds.get(i).trim(), i);
    }
    float[][] out = new float[wanted.size()][];
    for (int i = 0; i < out.length; i++) {
      Integer row = at.get(wanted.get(i));
      if (row == null) {
        throw new IOException(what + " vectors have no row for id " + wanted.get(i));
      }
      out[i] = rows[row];
    }
    return out;
  }

  boolean hasVectors() {
    return docVectors != null;
  }
}
