package io.quiver.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code options} object of a {@code qdrant/bm25} {@code Document} (Qdrant's {@code Bm25Config}). Unknown
 * keys, wrong types and out-of-range values are {@link TextOptionsException}s naming their JSON path; JSON null
 * means the default, as in Qdrant.
 */
public final class Bm25OptionsJson {
  private Bm25OptionsJson() {}

  /** Options from {@code node} (null or JSON null: the defaults); {@code path} is where the object sits. */
  public static Bm25Options parse(JsonNode node, String path) {
    if (node == null || node.isNull()) {
      return Bm25Options.DEFAULTS;
    }
    if (!node.isObject()) {
      throw new TextOptionsException(path, "must be an object, got " + node.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    Bm25Options.Builder builder = Bm25Options.builder();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String p = path + "." + e.getKey();
      JsonNode v = e.getValue();
      try {
        if (!v.isNull()) {
          set(builder, e.getKey(), v, p);
        }
      } catch (TextOptionsException ex) {
        throw ex;
      } catch (IllegalArgumentException ex) {
        throw new TextOptionsException(p, ex.getMessage());
      }
    }
    JsonNode language = node.get("language");
    JsonNode stopwords = node.get("stopwords");
    if (language != null && language.isTextual() && (stopwords == null || stopwords.isNull())
        && Languages.STOPWORD_LANGUAGES.contains(language.textValue())) {
      try {
        StopWords.forLanguage(language.textValue());
      } catch (IllegalArgumentException ex) {
        throw new TextOptionsException(path + ".language", ex.getMessage());
      }
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException ex) {
      throw new TextOptionsException(path, ex.getMessage());
    }
  }

  private static void set(Bm25Options.Builder builder, String key, JsonNode v, String p) {
    switch (key) {
      case "k" -> builder.k(number(v, p));
      case "b" -> builder.b(number(v, p));
      case "avg_len" -> builder.avgLen(number(v, p));
      case "tokenizer" -> builder.tokenizer(tokenizer(v, p));
      case "language" -> builder.language(string(v, p));
      case "lowercase" -> builder.lowercase(bool(v, p));
      case "ascii_folding" -> builder.asciiFolding(bool(v, p));
      case "stopwords" -> builder.stopwords(stopwords(v, p));
      case "stemmer" -> builder.stemmer(stemmer(v, p));
      case "min_token_len" -> builder.minTokenLen(length(v, p));
      case "max_token_len" -> builder.maxTokenLen(length(v, p));
      default -> throw new TextOptionsException(p, "unknown option of qdrant/bm25; known: k, b, avg_len, tokenizer, "
          + "language, lowercase, ascii_folding, stopwords, stemmer, min_token_len, max_token_len");
    }
  }

  private static double number(JsonNode v, String p) {
    if (!v.isNumber()) {
      throw new TextOptionsException(p, "must be a number");
    }
    return v.doubleValue();
  }

  private static boolean bool(JsonNode v, String p) {
    if (!v.isBoolean()) {
      throw new TextOptionsException(p, "must be true or false");
    }
    return v.booleanValue();
  }

  private static String string(JsonNode v, String p) {
    if (!v.isTextual()) {
      throw new TextOptionsException(p, "must be a string");
    }
    return v.textValue();
  }

  private static Integer length(JsonNode v, String p) {
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new TextOptionsException(p, "must be a non-negative integer");
    }
    return v.intValue();
  }

  private static Bm25Options.TokenizerType tokenizer(JsonNode v, String p) {
    String s = string(v, p);
    for (Bm25Options.TokenizerType t : Bm25Options.TokenizerType.values()) {
      if (t.jsonName().equals(s)) {
        return t;
      }
    }
    if ("multilingual".equals(s)) {
      throw new TextOptionsException(p, "the multilingual tokenizer (charabia's segmentation) is not available "
          + "here; use word, whitespace or prefix");
    }
    throw new TextOptionsException(p, "unknown tokenizer '" + s + "'; one of word, whitespace, prefix");
  }

  private static Bm25Options.Stopwords stopwords(JsonNode v, String p) {
    if (v.isTextual()) {
      return new Bm25Options.Stopwords(Set.of(v.textValue()), Set.of());
    }
    if (!v.isObject()) {
      throw new TextOptionsException(p, "must be a language name or {\"languages\": [...], \"custom\": [...]}");
    }
    Set<String> languages = new LinkedHashSet<>();
    Set<String> custom = new LinkedHashSet<>();
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      String q = p + "." + e.getKey();
      switch (e.getKey()) {
        case "languages", "language" -> strings(e.getValue(), q, languages);
        case "custom" -> strings(e.getValue(), q, custom);
        default -> throw new TextOptionsException(q, "unknown field; known: languages, custom");
      }
    }
    return new Bm25Options.Stopwords(languages, custom);
  }

  private static void strings(JsonNode v, String p, Set<String> into) {
    if (v.isNull()) {
      return;
    }
    if (!v.isArray()) {
      throw new TextOptionsException(p, "must be an array of strings");
    }
    for (int i = 0; i < v.size(); i++) {
      into.add(string(v.get(i), p + "[" + i + "]"));
    }
  }

  private static Bm25Options.Stemmer stemmer(JsonNode v, String p) {
    if (!v.isObject()) {
      throw new TextOptionsException(p, "must be {\"type\": \"snowball\", \"language\": ...} or {\"type\": \"none\"}");
    }
    JsonNode type = v.get("type");
    if (type == null || !type.isTextual()) {
      throw new TextOptionsException(p + ".type", "must be \"snowball\" or \"none\"");
    }
    for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("type") && !(f.equals("language") && type.textValue().equals("snowball"))) {
        throw new TextOptionsException(p + "." + f, "unknown field of a " + type.textValue() + " stemmer");
      }
    }
    return switch (type.textValue()) {
      case "none" -> Bm25Options.Stemmer.NONE;
      case "snowball" -> {
        JsonNode language = v.get("language");
        if (language == null || language.isNull()) {
          throw new TextOptionsException(p + ".language", "is required for a snowball stemmer");
        }
        try {
          yield Bm25Options.Stemmer.snowball(string(language, p + ".language"));
        } catch (TextOptionsException e) {
          throw e;
        } catch (IllegalArgumentException e) {
          throw new TextOptionsException(p + ".language", e.getMessage());
        }
      }
      default -> throw new TextOptionsException(p + ".type", "must be \"snowball\" or \"none\", got \""
          + type.textValue() + "\"");
    };
  }
}
