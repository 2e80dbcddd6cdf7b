package io.quiver.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Qdrant's JSON for {@link TextIndexParams}: {@code {"type": "text", "tokenizer": ..., "min_token_len": ...,
 * "max_token_len": ..., "lowercase": ..., "ascii_folding": ..., "phrase_matching": ..., "stopwords": "english" |
 * {"languages": [...], "custom": [...]}, "stemmer": {"type": "snowball", "language": ...} | {"type": "none"}}}.
 * {@code on_disk}, {@code memory} and {@code enable_hnsw} are accepted and ignored (the index always lives in RAM).
 * Errors are IllegalArgumentExceptions whose message starts with the JSON path of the bad value.
 */
public final class TextIndexParamsJson {
  private static final Set<String> FIELDS = Set.of("type", "tokenizer", "min_token_len", "max_token_len", "lowercase",
      "ascii_folding", "phrase_matching", "stopwords", "stemmer", "on_disk", "memory", "enable_hnsw");

  private TextIndexParamsJson() {}

  /** Parses {@code node} found at {@code path} (e.g. "body.field_schema"). */
  public static TextIndexParams parse(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw bad(path, "expected an object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw bad(path + "." + f, "unknown field; expected one of " + String.join(", ", FIELDS.stream().sorted()
            .toList()));
      }
    }
    if (!"text".equals(node.path("type").asText(null))) {
      throw bad(path + ".type", "expected \"text\"");
    }
    TextIndexParams.Builder b = TextIndexParams.builder();
    JsonNode t = present(node, "tokenizer");
    if (t != null) {
      if (!t.isTextual()) {
        throw bad(path + ".tokenizer", "expected a string");
      }
      try {
        b.tokenizer(TextIndexParams.Tokenizer.parse(t.textValue()));
      } catch (IllegalArgumentException e) {
        throw bad(path + ".tokenizer", e.getMessage());
      }
    }
    b.minTokenLen(length(node, "min_token_len", path)).maxTokenLen(length(node, "max_token_len", path))
        .lowercase(bool(node, "lowercase", path)).asciiFolding(bool(node, "ascii_folding", path))
        .phraseMatching(bool(node, "phrase_matching", path));
    bool(node, "on_disk", path);
    bool(node, "enable_hnsw", path);
    JsonNode sw = present(node, "stopwords");
    if (sw != null) {
      b.stopwords(stopwords(sw, path + ".stopwords"));
    }
    JsonNode st = present(node, "stemmer");
    if (st != null) {
      b.stemmer(stemmer(st, path + ".stemmer"));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw bad(path, e.getMessage());
    }
  }

  /** The JSON of {@code p}: {@code type} and the options that are set. */
  public static ObjectNode write(TextIndexParams p) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("type", "text");
    if (p.tokenizer() != null) {
      o.put("tokenizer", p.tokenizer().qdrantName());
    }
    if (p.minTokenLen() != null) {
      o.put("min_token_len", p.minTokenLen());
    }
    if (p.maxTokenLen() != null) {
      o.put("max_token_len", p.maxTokenLen());
    }
    if (p.lowercase() != null) {
      o.put("lowercase", p.lowercase());
    }
    if (p.asciiFolding() != null) {
      o.put("ascii_folding", p.asciiFolding());
    }
    if (p.phraseMatching() != null) {
      o.put("phrase_matching", p.phraseMatching());
    }
    if (p.stopwords() != null) {
      TextIndexParams.Stopwords s = p.stopwords();
      if (s.custom().isEmpty() && s.languages().size() == 1) {
        o.put("stopwords", s.languages().get(0));
      } else {
        ObjectNode so = o.putObject("stopwords");
        s.languages().forEach(so.putArray("languages")::add);
        s.custom().forEach(so.putArray("custom")::add);
      }
    }
    if (p.stemmer() != null) {
      o.putObject("stemmer").put("type", "snowball").put("language", p.stemmer());
    }
    return o;
  }

  private static TextIndexParams.Stopwords stopwords(JsonNode sw, String path) {
    try {
      if (sw.isTextual()) {
        return TextIndexParams.Stopwords.of(sw.textValue());
      }
      if (!sw.isObject()) {
        throw bad(path, "expected a language name or {languages, custom}");
      }
      for (Iterator<String> it = sw.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!f.equals("languages") && !f.equals("custom")) {
          throw bad(path + "." + f, "unknown field; expected languages or custom");
        }
      }
      return new TextIndexParams.Stopwords(strings(sw, "languages", path), strings(sw, "custom", path));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith(path) ? e : bad(path, e.getMessage().replaceFirst("^stopwords: ", ""));
    }
  }

  private static String stemmer(JsonNode st, String path) {
    if (!st.isObject()) {
      throw bad(path, "expected {type: \"snowball\", language: ...} or {type: \"none\"}");
    }
    String type = st.path("type").asText("");
    if (type.equals("none")) {
      return null;
    }
    if (!type.equals("snowball")) {
      throw bad(path + ".type", "expected \"snowball\" or \"none\"");
    }
    JsonNode lang = st.get("language");
    if (lang == null || !lang.isTextual()) {
      throw bad(path + ".language", "expected a language name");
    }
    if (!TextIndexParams.STEMMER_LANGUAGES.contains(lang.textValue())) {
      throw bad(path + ".language", "unknown language '" + lang.textValue() + "'; expected one of "
          + String.join(", ", TextIndexParams.STEMMER_LANGUAGES.stream().sorted().toList()));
    }
    return lang.textValue();
  }

  private static List<String> strings(JsonNode parent, String field, String path) {
    JsonNode a = present(parent, field);
    List<String> out = new ArrayList<>();
    if (a == null) {
      return out;
    }
    if (!a.isArray()) {
      throw bad(path + "." + field, "expected an array of strings");
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).isTextual()) {
        throw bad(path + "." + field + "[" + i + "]", "expected a string");
      }
      out.add(a.get(i).textValue());
    }
    return out;
  }

  private static Integer length(JsonNode node, String field, String path) {
    JsonNode v = present(node, field);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
      throw bad(path + "." + field, "expected a non-negative integer");
    }
    return v.intValue();
  }

  private static Boolean bool(JsonNode node, String field, String path) {
    JsonNode v = present(node, field);
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      throw bad(path + "." + field, "expected true or false");
    }
    return v.booleanValue();
  }

  private static JsonNode present(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v;
  }

  private static IllegalArgumentException bad(String path, String message) {
    return new IllegalArgumentException(path + ": " + message);
  }
}
