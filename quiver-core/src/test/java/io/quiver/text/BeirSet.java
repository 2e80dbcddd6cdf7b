package io.quiver.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * A BEIR-format folder: {@code corpus.jsonl} and {@code queries.jsonl} ({@code _id}, {@code title}, {@code text})
 * and {@code qrels/test.tsv} (header, then {@code query-id corpus-id score}). A document's text is
 * {@code title + " " + text}, as BEIR's evaluation concatenates them; the queries are those with judgments, in qrels
 * order; gains come from the judged scores through {@code gain} (identity for SciFact, {@code 5 - grade} for
 * Cranfield, whose grade 1 is the most relevant).
 */
record BeirSet(String name, List<String> docIds, List<String> docTexts, List<String> queryIds,
    List<String> queryTexts, List<Map<String, Integer>> gains) {

  static BeirSet load(Path dir, IntUnaryOperator gain) {
    ObjectMapper mapper = new ObjectMapper();
    try {
      List<String> docIds = new ArrayList<>();
      List<String> docTexts = new ArrayList<>();
      for (String line : Files.readAllLines(dir.resolve("corpus.jsonl"))) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = mapper.readTree(line);
        docIds.add(n.get("_id").asText());
        docTexts.add(n.path("title").asText("") + " " + n.path("text").asText(""));
      }
      Map<String, String> queries = new HashMap<>();
      for (String line : Files.readAllLines(dir.resolve("queries.jsonl"))) {
        if (!line.isBlank()) {
          JsonNode n = mapper.readTree(line);
          queries.put(n.get("_id").asText(), n.path("text").asText(""));
        }
      }
      Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
      List<String> lines = Files.readAllLines(dir.resolve("qrels/test.tsv"));
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
      List<String> queryTexts = queryIds.stream().map(queries::get).toList();
      return new BeirSet(dir.getFileName().toString(), docIds, docTexts, queryIds, queryTexts,
          new ArrayList<>(qrels.values()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
