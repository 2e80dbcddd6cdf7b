package io.quiver.cli.bench.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The episodes of a reflexion_retrieve answer, read from AgentDB's text lines (both servers print them): one block
 * per episode starting {@code N. Episode <id>}, with {@code Task: ...}, {@code Reward: <x>} and optionally
 * {@code Similarity: <x>}. Where the answer also carries structured content with an array of episodes holding a
 * {@code success} flag, the flag is taken from there.
 */
record RetrieveAnswer(List<Hit> hits) {
  private static final Pattern HEAD = Pattern.compile("^\\s*(\\d+)\\. Episode (\\d+)\\s*$");
  private static final Pattern FIELD = Pattern.compile("^\\s*(Task|Reward|Similarity|Success): ?(.*)$");

  /** One episode of an answer; {@code success} is null when the answer does not say. */
  record Hit(long id, String task, double reward, double similarity, Boolean success) {}

  /** Reads an MCP tools/call result ({@code content[0].text}, optional {@code structuredContent}). */
  static RetrieveAnswer of(JsonNode result) {
    RetrieveAnswer a = parseText(result.path("content").path(0).path("text").asText(""));
    JsonNode structured = episodesArray(result.path("structuredContent"));
    if (structured == null || structured.size() != a.hits.size()) {
      return a;
    }
    List<Hit> hits = new ArrayList<>(a.hits.size());
    for (int i = 0; i < a.hits.size(); i++) {
      Hit h = a.hits.get(i);
      JsonNode s = structured.get(i);
      Boolean success = s.path("success").isBoolean() ? s.get("success").asBoolean() : h.success();
      hits.add(new Hit(h.id(), h.task(), h.reward(), h.similarity(), success));
    }
    return new RetrieveAnswer(List.copyOf(hits));
  }

  static RetrieveAnswer parseText(String text) {
    List<Hit> hits = new ArrayList<>();
    long id = -1;
    String task = null;
    double reward = Double.NaN;
    double similarity = Double.NaN;
    Boolean success = null;
    for (String line : text.split("\n")) {
      Matcher head = HEAD.matcher(line);
      if (head.matches()) {
        if (id >= 0) {
          hits.add(new Hit(id, task, reward, similarity, success));
        }
        id = Long.parseLong(head.group(2));
        task = null;
        reward = Double.NaN;
        similarity = Double.NaN;
        success = null;
        continue;
      }
      Matcher f = FIELD.matcher(line);
      if (id < 0 || !f.matches()) {
        continue;
      }
      String v = f.group(2).trim();
      switch (f.group(1)) {
        case "Task" -> task = v;
        case "Reward" -> reward = number(v);
        case "Similarity" -> similarity = number(v);
        default -> success = v.equalsIgnoreCase("true") ? Boolean.TRUE : v.equalsIgnoreCase("false") ? Boolean.FALSE
            : null;
      }
    }
    if (id >= 0) {
      hits.add(new Hit(id, task, reward, similarity, success));
    }
    return new RetrieveAnswer(List.copyOf(hits));
  }

  /** The first array of objects with an {@code id} under {@code node} (the node itself, or one of its fields). */
  private static JsonNode episodesArray(JsonNode node) {
    if (node.isArray() && !node.isEmpty() && node.get(0).has("id")) {
      return node;
    }
    if (node.isObject()) {
      for (JsonNode child : node) {
        if (child.isArray() && !child.isEmpty() && child.get(0).has("id")) {
          return child;
        }
      }
    }
    return null;
  }

  private static double number(String v) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
