package io.quiver.agent.episode;

import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScrollPage;
import io.quiver.collection.ScrollRequest;
import io.quiver.collection.SparseVector;
import io.quiver.text.QuiverBm25;
import io.quiver.text.TermWeights;
import java.util.Set;

/**
 * {@code quiver/bm25} for the episodes' sparse field, with the running mean document length it normalises by: read
 * back from every stored vector at open ({@link QuiverBm25#lengthOf}), then raised by each insert. Deletes and
 * rewrites do not lower it until the next open: BM25 is flat in the mean near its value, and the next open recomputes
 * it exactly. The scan at open also finds the largest stored id, which {@link EpisodeStore} allocates after.
 */
final class KeywordEncoder implements AutoCloseable {
  private static final int PAGE = 4096;

  private final QuiverBm25 bm25;
  private double sum;
  private long count;
  private long maxId;

  KeywordEncoder(Collection episodes) {
    this.bm25 = new QuiverBm25(QuiverBm25.Config.DEFAULTS, this::mean);
    double k1 = QuiverBm25.Config.DEFAULTS.k1();
    ScrollRequest req = new ScrollRequest(null, null, PAGE, PayloadSelector.NONE, Set.of(EpisodeSchema.SPARSE), null);
    while (true) {
      ScrollPage page = episodes.scroll(req);
      for (PointRecord r : page.points()) {
        maxId = Math.max(maxId, ((PointId.Num) r.id()).value());
        SparseVector v = r.sparseVectors().get(EpisodeSchema.SPARSE);
        if (v != null) {
          sum += QuiverBm25.lengthOf(v.values(), k1);
          count++;
        }
      }
      if (page.nextOffset() == null) {
        break;
      }
      req = req.from(page.nextOffset());
    }
  }

  /** The largest episode id stored when the encoder was made (0 for none). */
  long maxIdAtOpen() {
    return maxId;
  }

  private synchronized double mean() {
    return count == 0 ? 0 : sum / count;
  }

  /** The document vector of an episode (null when the text has no indexed term), counted into the mean. */
  SparseVector document(String task, String critique) {
    String text = EpisodeSchema.keywordText(task, critique);
    TermWeights w = bm25.encodeDocument(text);
    if (w.isEmpty()) {
      return null;
    }
    int len = bm25.documentLength(text);
    synchronized (this) {
      sum += len;
      count++;
    }
    return SparseVector.of(w.indices(), w.values());
  }

  /** The query vector (null when the query has no indexed term). */
  SparseVector query(String text) {
    TermWeights w = bm25.encodeQuery(text);
    return w.isEmpty() ? null : SparseVector.of(w.indices(), w.values());
  }

  @Override
  public void close() {
    bm25.close();
  }
}
