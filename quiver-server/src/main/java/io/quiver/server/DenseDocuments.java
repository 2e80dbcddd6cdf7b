package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.collection.VectorParams;
import io.quiver.text.DenseTextModel;
import io.quiver.text.DenseTextModels;
import io.quiver.text.TextModels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Document}s given for dense vector fields, embedded in-process by a {@link DenseTextModel} (e.g.
 * {@code sentence-transformers/all-MiniLM-L6-v2}): a query's vector, or the vectors of a write request, collected
 * while the request is read ({@link #add}) and embedded together ({@link #fill}) so that the model runs in batches.
 * A model takes no {@code options}; its dimension must equal the field's size.
 */
final class DenseDocuments {
  private record Pending(int point, String field, String text) {}

  private final Map<DenseTextModel, List<Pending>> pending = new LinkedHashMap<>();

  /** Whether {@code field} is a dense vector field of {@code c} (the field a dense Document may fill). */
  static boolean isDenseField(Collection c, String field) {
    return c.config().vector(field) != null;
  }

  /** The model of a Document given for dense field {@code field}, checked: every problem a 400 naming the path. */
  static DenseTextModel model(Collection c, DocumentVectors.Doc d, String path, String field) {
    DenseTextModel m = DenseTextModels.find(d.model()).orElseThrow(() -> ApiError.badRequest(path + ".model: "
        + (TextModels.isSparse(d.model()) ? "'" + d.model() + "' is a sparse model and "
        + name(field) + " is a dense vector field" : "unknown model '" + d.model() + "'")
        + "; dense models: " + DenseTextModels.names() + ", sparse models (for sparse fields): "
        + TextModels.SPARSE_MODELS));
    if (Json.present(d.options()) && !(d.options().isObject() && d.options().isEmpty())) {
      throw ApiError.badRequest(path + ".options: " + m.name() + " takes no options");
    }
    VectorParams p = c.config().vector(field);
    if (p.size() != m.dimension()) {
      throw ApiError.badRequest(path + ": " + m.name() + " gives " + m.dimension() + "-dimensional vectors, but "
          + name(field) + " has size " + p.size());
    }
    return m;
  }

  private static String name(String field) {
    return field.equals(CollectionConfig.DEFAULT_VECTOR) ? "the unnamed vector" : "'" + field + "'";
  }

  /**
   * {@code q} as a query of field {@code using}: a Document for a dense field becomes its embedding (a JSON array),
   * anything else is returned as it is.
   */
  static JsonNode resolve(Collection c, JsonNode q, String path, String using) {
    if (!DocumentVectors.isDocument(q) || !isDenseField(c, using)) {
      return q;
    }
    DocumentVectors.Doc d = DocumentVectors.parse(q, path);
    return Json.floats(model(c, d, path, using).embed(List.of(d.text())).getFirst());
  }

  /** Records the Document {@code n} (at {@code path}) as dense field {@code field} of request point {@code point}. */
  void add(Collection c, int point, String field, JsonNode n, String path) {
    DocumentVectors.Doc d = DocumentVectors.parse(n, path);
    pending.computeIfAbsent(model(c, d, path, field), m -> new ArrayList<>()).add(new Pending(point, field,
        d.text()));
  }

  /** {@code points} with the recorded Documents embedded into their dense vectors. */
  List<Point> fill(List<Point> points) {
    if (pending.isEmpty()) {
      return points;
    }
    List<Map<String, float[]>> dense = new ArrayList<>(points.size());
    points.forEach(p -> dense.add(new LinkedHashMap<>(p.vectors())));
    pending.forEach((model, docs) -> {
      List<float[]> vs = model.embed(docs.stream().map(Pending::text).toList());
      for (int i = 0; i < docs.size(); i++) {
        dense.get(docs.get(i).point()).put(docs.get(i).field(), vs.get(i));
      }
    });
    List<Point> out = new ArrayList<>(points.size());
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      out.add(new Point(p.id(), dense.get(i), p.payload(), p.sparseVectors()));
    }
    return out;
  }
}
