package io.quiver.agent.embed;

import io.quiver.QuiverException;
import io.quiver.embeddings.AllMiniLmL6V2;
import io.quiver.text.DenseTextModel;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the embedder of an agent memory by name: {@value #TOKEN_HASH} (the default, {@link TokenHashEmbedder}, no
 * model) or {@value #MINILM} ({@link AllMiniLmL6V2}, the local ONNX model shipped in the jar). There is no fallback:
 * an unknown name, or a model that cannot load, is an error, so the embedder a store reports is the one it uses.
 */
public final class Embedders {
  public static final String TOKEN_HASH = "token-hash";
  public static final String MINILM = "minilm";
  public static final String DEFAULT = TOKEN_HASH;

  private Embedders() {}

  /** The short names {@link #create} accepts (the full model names are accepted too). */
  public static List<String> names() {
    return List.of(TOKEN_HASH, MINILM);
  }

  /**
   * The embedder called {@code name} (short or full name, any case). {@link #MINILM} is loaded and run once here, so
   * a model that cannot load fails now, not at the first write.
   *
   * @throws QuiverException.InvalidInput for an unknown name
   * @throws QuiverException when the model cannot be loaded
   */
  public static DenseTextModel create(String name) {
    String n = name == null ? DEFAULT : name.trim().toLowerCase(Locale.ROOT);
    if (n.equals(TOKEN_HASH) || n.equals(TokenHashEmbedder.NAME)) {
      return TokenHashEmbedder.create();
    }
    if (n.equals(MINILM) || n.equals(AllMiniLmL6V2.NAME.toLowerCase(Locale.ROOT))) {
      DenseTextModel m = new AllMiniLmL6V2();
      try {
        m.embed(List.of("probe"));
      } catch (RuntimeException | LinkageError e) {
        throw new QuiverException("embedder " + MINILM + " (" + AllMiniLmL6V2.NAME + ") could not be loaded: " + e,
            e);
      }
      return m;
    }
    throw new QuiverException.InvalidInput("unknown embedder '" + name + "'; known: " + names());
  }

  /** What stats report about the active embedder. */
  public record Info(String name, int dimension) {}

  public static Info describe(DenseTextModel model) {
    return new Info(model.name(), model.dimension());
  }
}
