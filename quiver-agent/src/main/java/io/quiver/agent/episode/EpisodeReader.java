package io.quiver.agent.episode;

import io.quiver.PointId;
import io.quiver.QuiverException;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.ScrollPage;
import io.quiver.collection.ScrollRequest;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.SparseSearchRequest;
import io.quiver.collection.SparseVector;
import io.quiver.filter.Filter;
import io.quiver.text.DenseTextModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The read side of {@link EpisodeStore}: exact filtered retrieval, hybrid search, get, listing and scans.
 *
 * <p>Every dense query is an exact scan ({@link SearchRequest#exact()}) of the episodes the filter admits, which the
 * collection finds through its payload indexes: the answer is the true top k by cosine under the filter, and is short
 * only when fewer than k episodes match. Keyword search scores every episode sharing a query term (sparse search is
 * exact), with IDF over the whole store.
 */
final class EpisodeReader {
  /** Reciprocal rank fusion's constant, as in Cormack et al. and Qdrant's RRF. */
  static final int RRF_K = 60;
  private static final int SCAN_PAGE = 4096;

  private final Collection episodes;
  private final DenseTextModel embedder;
  private final KeywordEncoder keywords;

  EpisodeReader(Collection episodes, DenseTextModel embedder, KeywordEncoder keywords) {
    this.episodes = episodes;
    this.embedder = embedder;
    this.keywords = keywords;
  }

  /** The embedder's vector of {@code text}, checked for its dimension. */
  float[] embed(String text) {
    return EpisodeStore.checked(embedder.embed(List.of(text)), 1, embedder).get(0);
  }

  /** The exact top {@code k} by cosine with {@code query} among the episodes {@code filter} admits, best first. */
  List<EpisodeHit> nearest(float[] query, int k, EpisodeFilter filter, double minSimilarity) {
    SearchRequest.Builder b = SearchRequest.builder(query).using(EpisodeSchema.DENSE).limit(k).exact(true)
        .filter(EpisodeFilters.toFilter(filter)).withPayload(PayloadSelector.ALL);
    if (minSimilarity > -1) {
      b.scoreThreshold((float) minSimilarity);
    }
    List<ScoredPoint> hits = episodes.search(b.build());
    List<EpisodeHit> out = new ArrayList<>(hits.size());
    for (ScoredPoint h : hits) {
      out.add(new EpisodeHit(EpisodeSchema.episode(h.id(), h.payload()), h.score(), 0, h.score()));
    }
    return out;
  }

  /**
   * Hybrid search: the exact dense top {@code n} (at or above {@code minSimilarity}) and the exact BM25 top
   * {@code n} under the same filter, fused by reciprocal rank ({@code 1/(60 + rank)} summed over the two lists),
   * with {@code n = max(4k, 50)}. A result found by keywords alone is kept whatever its cosine; every result
   * reports its exact cosine. Without keyword terms in the query this is the dense ranking.
   */
  List<EpisodeHit> hybrid(String text, int k, EpisodeFilter filter, double minSimilarity) {
    float[] query = embed(text);
    int n = Math.min(Collection.MAX_RESULT_WINDOW, Math.max(4 * k, 50));
    List<EpisodeHit> dense = nearest(query, n, filter, minSimilarity);
    SparseVector terms = keywords.query(text);
    if (terms == null) {
      return dense.subList(0, Math.min(k, dense.size()));
    }
    Filter f = EpisodeFilters.toFilter(filter);
    List<ScoredPoint> sparse = episodes.search(SparseSearchRequest.builder(terms, EpisodeSchema.SPARSE).limit(n)
        .filter(f).withPayload(PayloadSelector.ALL).build());
    record Fused(Episode episode, double similarity, double keyword, double score) {}
    Map<Long, Fused> fused = new LinkedHashMap<>();
    for (int i = 0; i < dense.size(); i++) {
      EpisodeHit h = dense.get(i);
      fused.put(h.episode().id(), new Fused(h.episode(), h.similarity(), 0, 1.0 / (RRF_K + i + 1)));
    }
    List<Long> keywordOnly = new ArrayList<>();
    for (int i = 0; i < sparse.size(); i++) {
      ScoredPoint p = sparse.get(i);
      long id = ((PointId.Num) p.id()).value();
      double rrf = 1.0 / (RRF_K + i + 1);
      Fused prev = fused.get(id);
      if (prev == null) {
        keywordOnly.add(id);
        fused.put(id, new Fused(EpisodeSchema.episode(p.id(), p.payload()), Double.NaN, p.score(), rrf));
      } else {
        fused.put(id, new Fused(prev.episode(), prev.similarity(), p.score(), prev.score() + rrf));
      }
    }
    Map<Long, Double> cosines = cosines(query, keywordOnly);
    return fused.values().stream()
        .sorted(Comparator.comparingDouble(Fused::score).reversed().thenComparingLong(x -> x.episode().id()))
        .limit(k)
        .map(x -> new EpisodeHit(x.episode(), Double.isNaN(x.similarity())
            ? cosines.getOrDefault(x.episode().id(), 0.0) : x.similarity(), x.keyword(), x.score()))
        .toList();
  }

  /** The stored episodes among {@code ids} with their exact cosine to {@code query}, in id order. */
  List<EpisodeHit> score(float[] query, List<Long> ids) {
    List<EpisodeHit> out = new ArrayList<>(ids.size());
    if (ids.isEmpty()) {
      return out;
    }
    double qn = Math.sqrt(dot(query, query));
    List<PointId> points = ids.stream().sorted().map(PointId::of).toList();
    for (PointRecord r : episodes.retrieve(points, PayloadSelector.ALL, Set.of(EpisodeSchema.DENSE))) {
      double sim = qn == 0 ? 0 : dot(r.vectors().get(EpisodeSchema.DENSE), query) / qn; // stored: unit length
      out.add(new EpisodeHit(EpisodeSchema.episode(r.id(), r.payload()), sim, 0, sim));
    }
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  /** Exact cosines of the stored task vectors of {@code ids} with {@code query}. */
  private Map<Long, Double> cosines(float[] query, List<Long> ids) {
    Map<Long, Double> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    double qn = 0;
    for (float v : query) {
      qn += (double) v * v;
    }
    qn = Math.sqrt(qn);
    for (PointRecord r : episodes.retrieve(ids.stream().map(PointId::of).toList(), PayloadSelector.NONE,
        Set.of(EpisodeSchema.DENSE))) {
      float[] v = r.vectors().get(EpisodeSchema.DENSE);
      double dot = 0;
      for (int i = 0; i < v.length; i++) {
        dot += (double) v[i] * query[i];
      }
      out.put(((PointId.Num) r.id()).value(), qn == 0 ? 0 : dot / qn); // stored vectors are unit length
    }
    return out;
  }

  PointRecord record(long id, boolean withVectors) {
    List<PointRecord> r = episodes.retrieve(List.of(PointId.of(id)), PayloadSelector.ALL,
        withVectors ? Set.of() : null);
    return r.isEmpty() ? null : r.get(0);
  }

  /** The stored episode {@code id}, or {@link QuiverException.NotFound}. */
  Episode get(long id) {
    PointRecord r = record(id, false);
    if (r == null) {
      throw notFound(id);
    }
    return EpisodeSchema.episode(r.id(), r.payload());
  }

  static QuiverException.NotFound notFound(long id) {
    return new QuiverException.NotFound("no episode #" + id);
  }

  /** Calls {@code each} with the id of every episode {@code filter} admits, in increasing id order. */
  void forEachId(Filter filter, LongConsumer each) {
    ScrollRequest req = new ScrollRequest(filter, null, SCAN_PAGE, PayloadSelector.NONE, null, null);
    while (true) {
      ScrollPage page = episodes.scroll(req);
      for (PointRecord r : page.points()) {
        each.accept(((PointId.Num) r.id()).value());
      }
      if (page.nextOffset() == null) {
        return;
      }
      req = req.from(page.nextOffset());
    }
  }

  /** Calls {@code each} with every episode {@code filter} admits (the payload keys given only), in id order. */
  void forEach(Filter filter, List<String> keys, Consumer<Episode> each) {
    ScrollRequest req = new ScrollRequest(filter, null, SCAN_PAGE, PayloadSelector.include(keys), null, null);
    while (true) {
      ScrollPage page = episodes.scroll(req);
      for (PointRecord r : page.points()) {
        each.accept(EpisodeSchema.episode(r.id(), r.payload()));
      }
      if (page.nextOffset() == null) {
        return;
      }
      req = req.from(page.nextOffset());
    }
  }

  /** A page of the episodes {@code filter} admits, newest (highest id) or oldest first, with the total. */
  EpisodePage list(EpisodeFilter filter, int limit, int offset, boolean newestFirst) {
    List<Long> ids = new ArrayList<>();
    forEachId(EpisodeFilters.toFilter(filter), ids::add);
    int total = ids.size();
    List<PointId> page = new ArrayList<>();
    for (int i = offset; i < total && page.size() < limit; i++) {
      page.add(PointId.of(ids.get(newestFirst ? total - 1 - i : i)));
    }
    List<Episode> out = new ArrayList<>(page.size());
    for (PointRecord r : episodes.retrieve(page, PayloadSelector.ALL, null)) {
      out.add(EpisodeSchema.episode(r.id(), r.payload()));
    }
    return new EpisodePage(out, total);
  }
}
