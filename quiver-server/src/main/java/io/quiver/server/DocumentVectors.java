package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.Point;
import io.quiver.collection.PointRecord;
import io.quiver.collection.SparseVector;
import io.quiver.text.CorpusStats;
import io.quiver.text.DenseTextModels;
import io.quiver.text.QdrantBm25;
import io.quiver.text.QuiverBm25;
import io.quiver.text.SparseTextEncoder;
import io.quiver.text.TermWeights;
import io.quiver.text.TextModels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Qdrant's {@code Document} ({@code {text, model, options}}) where a vector may stand, encoded in-process by the
 * sparse text models of {@link TextModels}: a document's vector in an upsert, a query's vector in a query; those
 * given for dense fields go to {@link DenseDocuments}. One instance serves one write request: documents are
 * collected while the request is read ({@link #add}) and encoded together ({@link #finish}), so that
 * {@code quiver/bm25} normalises by a mean length that already counts the request's own documents (the first batch
 * of an empty collection is normalised by its own mean, not left unnormalised).
 */
final class DocumentVectors implements AutoCloseable {
  /** A parsed {@code Document}: its model name as given. */
  record Doc(String text, String model, JsonNode options) {
    boolean isQuiver() {
      return model.toLowerCase(Locale.ROOT).equals(QuiverBm25.MODEL);
    }
  }

  private record Pending(int point, String field, Doc doc, SparseTextEncoder encoder) {}

  private final Collection collection;
  private final DocumentLengths lengths;
  private final List<Pending> pending = new ArrayList<>();
  private final Map<String, SparseTextEncoder> encoders = new HashMap<>();
  private final DenseDocuments dense = new DenseDocuments();
  /** The mean a {@code quiver/bm25} encoder of this request reads; set before each document is encoded. */
  private double currentMean;

  DocumentVectors(Collection collection, DocumentLengths lengths) {
    this.collection = collection;
    this.lengths = lengths;
  }

  /**
   * Whether {@code n} is shaped as a {@code Document}: an object whose {@code text} or {@code model} is a string (an
   * object of named vectors may name a vector {@code text}, but its value is never a string).
   */
  static boolean isDocument(JsonNode n) {
    return n != null && n.isObject() && !SparseJson.isSparse(n)
        && ((n.has("text") && n.get("text").isTextual()) || (n.has("model") && n.get("model").isTextual()));
  }

  /** Reads a {@code Document}, every problem a 400 naming the path. */
  static Doc parse(JsonNode n, String path) {
    Json.onlyFields(n, path, "text", "model", "options");
    JsonNode text = n.get("text");
    if (text == null || !text.isTextual()) {
      throw ApiError.badRequest(path + ".text: required, a string");
    }
    JsonNode model = n.get("model");
    if (model == null || !model.isTextual() || model.textValue().isEmpty()) {
      throw ApiError.badRequest(path + ".model: required, a model name such as " + QdrantBm25.MODEL);
    }
    return new Doc(text.textValue(), model.textValue(), n.get("options"));
  }

  /** The 400 for a {@code Document} meant for field {@code field} that is not sparse. */
  static ApiError notSparse(String path, String field, CollectionConfig config) {
    String what = config.vector(field) != null
        ? (field.isEmpty() ? "the unnamed vector" : "'" + field + "'") + " is a dense vector field"
        : "the collection has no sparse vector field " + (field.isEmpty() ? "(unnamed)" : "'" + field + "'");
    return ApiError.badRequest(path + ": a Document of a sparse model (" + QdrantBm25.MODEL + ", "
        + QuiverBm25.MODEL + ") needs a sparse vector field, one of a dense model (" + DenseTextModels.names()
        + ") a dense field of its size; " + what
        + (config.sparseVectors().isEmpty() ? "" : "; sparse fields: " + config.sparseVectors().keySet()));
  }

  /** The query vector of a {@code Document} given for field {@code using}. */
  static SparseVector query(Collection c, JsonNode n, String path, String using) {
    if (c.config().sparseVector(using) == null) {
      throw notSparse(path, using, c.config());
    }
    Doc d = parse(n, path);
    SparseTextEncoder e = TextModels.encoder(d.model(), d.options(), path, CorpusStats.fixed(0));
    try {
      return sparse(e.encodeQuery(d.text()));
    } finally {
      closeEncoder(e);
    }
  }

  /** Records the {@code Document} {@code n} as the vector {@code field} of the request's point number {@code point}. */
  void add(int point, String field, JsonNode n, String path) {
    if (DenseDocuments.isDenseField(collection, field)) {
      dense.add(collection, point, field, n, path);
      return;
    }
    if (collection.config().sparseVector(field) == null) {
      throw notSparse(path, field, collection.config());
    }
    Doc d = parse(n, path);
    String key = d.model().toLowerCase(Locale.ROOT) + '\0' + (d.options() == null ? "null" : d.options().toString());
    SparseTextEncoder e = encoders.get(key);
    if (e == null) {
      e = TextModels.encoder(d.model(), d.options(), path, () -> currentMean); // checks model and options
      encoders.put(key, e);
    }
    pending.add(new Pending(point, field, d, e));
  }

  /**
   * The request's points with their documents encoded. With {@code track}, the collection's length figures take
   * the write in (the points replace whole points: their old vectors leave, their new ones arrive); the caller
   * forgets the figures instead when the write may not replace what it names (insert-only, update-only).
   */
  List<Point> finish(List<Point> parsed, boolean track) {
    List<Point> points = dense.fill(parsed);
    if (pending.isEmpty() && (!track || lengths.knownFields(collection).isEmpty())) {
      return points;
    }
    List<Map<String, SparseVector>> sparse = new ArrayList<>(points.size());
    for (Point p : points) {
      sparse.add(new LinkedHashMap<>(p.sparseVectors()));
    }
    Map<String, Double> quiverFields = new LinkedHashMap<>();
    for (Pending p : pending) {
      if (p.doc().isQuiver()) {
        quiverFields.putIfAbsent(p.field(), ((QuiverBm25) p.encoder()).config().k1());
      } else {
        sparse.get(p.point()).put(p.field(), sparse(p.encoder().encodeDocument(p.doc().text())));
      }
    }
    // lengths of the request's quiver/bm25 documents, by field: they count in the mean they are encoded with
    Map<Pending, Integer> docLength = new IdentityHashMap<>();
    Map<String, double[]> batch = new HashMap<>();
    for (Pending p : pending) {
      if (p.doc().isQuiver()) {
        int dl = ((QuiverBm25) p.encoder()).documentLength(p.doc().text());
        docLength.put(p, dl);
        double[] s = batch.computeIfAbsent(p.field(), f -> new double[2]);
        s[0] += dl;
        s[1]++;
      }
    }
    Map<String, Double> means = new HashMap<>();
    if (track) {
      for (Map.Entry<String, Double> f : quiverFields.entrySet()) {
        lengths.mean(collection, f.getKey(), f.getValue()); // reads the stored vectors if not known yet
      }
      replace(points, sparse, docLength);
      for (String f : quiverFields.keySet()) {
        means.put(f, lengths.mean(collection, f, quiverFields.get(f)));
      }
    } else {
      for (Map.Entry<String, Double> f : quiverFields.entrySet()) {
        double stored = lengths.mean(collection, f.getKey(), f.getValue());
        long n = collection.count(); // an upper bound on the field's count: the mean leans to the stored one
        double[] s = batch.get(f.getKey());
        means.put(f.getKey(), (stored * n + s[0]) / (n + s[1]));
      }
    }
    for (Pending p : pending) {
      if (p.doc().isQuiver()) {
        currentMean = means.get(p.field());
        sparse.get(p.point()).put(p.field(), sparse(p.encoder().encodeDocument(p.doc().text())));
      }
    }
    List<Point> out = new ArrayList<>(points.size());
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      out.add(new Point(p.id(), p.vectors(), p.payload(), sparse.get(i)));
    }
    return out;
  }

  /** Subtracts the replaced points' stored vectors of every known field and adds the new ones. */
  private void replace(List<Point> points, List<Map<String, SparseVector>> sparse, Map<Pending, Integer> docLength) {
    Set<String> known = lengths.knownFields(collection);
    if (known.isEmpty()) {
      return;
    }
    Set<PointId> ids = new LinkedHashSet<>();
    points.forEach(p -> ids.add(p.id()));
    Map<String, double[]> delta = new HashMap<>();
    for (PointRecord r : collection.retrieve(List.copyOf(ids), PayloadSelector.NONE, known)) {
      for (String f : known) {
        SparseVector old = r.sparseVectors().get(f);
        if (old != null) {
          double[] d = delta.computeIfAbsent(f, x -> new double[2]);
          d[0] -= QuiverBm25.lengthOf(old.values(), lengths.k1(collection, f));
          d[1]--;
        }
      }
    }
    Map<Integer, Map<String, Integer>> exact = new HashMap<>();
    docLength.forEach((p, dl) -> exact.computeIfAbsent(p.point(), x -> new HashMap<>()).put(p.field(), dl));
    for (int i = 0; i < points.size(); i++) {
      Map<String, Integer> ex = exact.getOrDefault(i, Map.of());
      for (String f : known) {
        double len;
        if (ex.containsKey(f)) {
          len = ex.get(f);
        } else if (sparse.get(i).containsKey(f)) {
          len = QuiverBm25.lengthOf(sparse.get(i).get(f).values(), lengths.k1(collection, f));
        } else {
          continue;
        }
        double[] d = delta.computeIfAbsent(f, x -> new double[2]);
        d[0] += len;
        d[1]++;
      }
    }
    delta.forEach((f, d) -> lengths.add(collection, f, lengths.k1(collection, f), d[0], (long) d[1]));
  }

  private static SparseVector sparse(TermWeights w) {
    return new SparseVector(w.indices(), w.values());
  }

  private static void closeEncoder(SparseTextEncoder e) {
    if (e instanceof AutoCloseable a) {
      try {
        a.close();
      } catch (Exception ex) {
        throw new IllegalStateException(ex);
      }
    }
  }

  @Override
  public void close() {
    encoders.values().forEach(DocumentVectors::closeEncoder);
  }
}
