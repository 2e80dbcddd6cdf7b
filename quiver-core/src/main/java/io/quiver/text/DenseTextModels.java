package io.quiver.text;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The dense text models on the class path (each a {@link DenseTextModel} service, e.g. from the
 * {@code quiver-embeddings} module). Names match case-insensitively, as Qdrant's model names do. The models are
 * looked up once per process; a model's weights load when it first embeds.
 */
public final class DenseTextModels {
  private DenseTextModels() {}

  private static final class Holder {
    static final List<DenseTextModel> MODELS =
        ServiceLoader.load(DenseTextModel.class, DenseTextModels.class.getClassLoader()).stream()
            .map(ServiceLoader.Provider::get).toList();
  }

  /** All models found, in class-path order. */
  public static List<DenseTextModel> all() {
    return Holder.MODELS;
  }

  /** The model named {@code name} (any case), if one is on the class path. */
  public static Optional<DenseTextModel> find(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return Holder.MODELS.stream().filter(m -> m.name().toLowerCase(Locale.ROOT).equals(n)).findFirst();
  }

  /** The names of the models found, for error messages. */
  public static List<String> names() {
    return Holder.MODELS.stream().map(DenseTextModel::name).toList();
  }
}
