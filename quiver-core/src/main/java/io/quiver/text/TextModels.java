package io.quiver.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sparse text models a {@code Document} may name, and their {@code options}: {@code qdrant/bm25} (Qdrant's
 * {@code Bm25Config}, see {@link Bm25OptionsJson}) and {@code quiver/bm25} ({@code k} and {@code b}; its analysis is
 * fixed). Model names match case-insensitively, as Qdrant's do.
 */
public final class TextModels {
  private TextModels() {}

  /** The names of the sparse models, for messages. */
  public static final List<String> SPARSE_MODELS = List.of(QdrantBm25.MODEL, QuiverBm25.MODEL);

  /** True when {@code model} names a sparse model of this class. */
  public static boolean isSparse(String model) {
    String m = model.toLowerCase(Locale.ROOT);
    return m.equals(QdrantBm25.MODEL) || m.equals(QuiverBm25.MODEL);
  }

  /**
   * The encoder of {@code model} with {@code options} (null or JSON null for the defaults); {@code path} is the JSON
   * path of the {@code Document} object, and errors name {@code path.model} or {@code path.options...}.
   * {@code stats} serves {@code quiver/bm25}; the caller closes the returned encoder when it is
   * {@link AutoCloseable}.
   */
  public static SparseTextEncoder encoder(String model, JsonNode options, String path, CorpusStats stats) {
    String m = model.toLowerCase(Locale.ROOT);
    if (m.equals(QdrantBm25.MODEL)) {
      return new QdrantBm25(Bm25OptionsJson.parse(options, path + ".options"));
    }
    if (m.equals(QuiverBm25.MODEL)) {
      return new QuiverBm25(quiverConfig(options, path + ".options"), stats);
    }
    boolean dense = DenseTextModels.find(model).isPresent();
    throw new TextOptionsException(path + ".model", (dense ? "'" + model + "' is a dense model: give it to a dense "
        + "vector field; sparse models: " : "unknown sparse model '" + model + "'; one of ") + SPARSE_MODELS);
  }

  static QuiverBm25.Config quiverConfig(JsonNode options, String path) {
    QuiverBm25.Config c = QuiverBm25.Config.DEFAULTS;
    if (options == null || options.isNull()) {
      return c;
    }
    if (!options.isObject()) {
      throw new TextOptionsException(path, "must be an object");
    }
    for (Map.Entry<String, JsonNode> e : options.properties()) {
      String p = path + "." + e.getKey();
      JsonNode v = e.getValue();
      if (v.isNull()) {
        continue;
      }
      if (!e.getKey().equals("k") && !e.getKey().equals("b")) {
        throw new TextOptionsException(p, "unknown option of quiver/bm25 (its analysis is fixed; qdrant/bm25 takes "
            + "tokenizer options); known: k, b");
      }
      if (!v.isNumber()) {
        throw new TextOptionsException(p, "must be a number");
      }
      try {
        c = e.getKey().equals("k") ? c.withK1(v.doubleValue()) : c.withB(v.doubleValue());
      } catch (IllegalArgumentException ex) {
        throw new TextOptionsException(p, ex.getMessage());
      }
    }
    return c;
  }
}
