package io.quiver.collection;

import io.quiver.filter.Filter;
import io.quiver.index.IndexFiles;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.PayloadLinks;
import io.quiver.payload.PayloadIndex;
import io.quiver.storage.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The payload links (Qdrant's {@code payload_m}) of one sealed segment's vector fields: read at open from the
 * segment's files, compared with what the configuration asks for, rebuilt or deleted by {@link #relink}. Which groups
 * get links and which a filter follows is {@link SegmentLinks}'s.
 */
final class SealedPayloadLinks {
  private final Path dir;
  private final Map<String, PayloadLinks> byField = new ConcurrentHashMap<>();

  SealedPayloadLinks(Path dir) {
    this.dir = dir;
  }

  static Path file(Path dir, String field) {
    return IndexFiles.resolve(dir, SealedSegment.fieldFile(field), PayloadLinks.EXTENSION);
  }

  /** Reads {@code field}'s links when the segment has them; segments sealed without payload_m have none. */
  void load(String field, HnswIndex graph) throws IOException {
    Path links = file(dir, field);
    if (Files.exists(links)) {
      byField.put(field, PayloadLinks.read(links, graph));
    }
  }

  PayloadLinks get(String field) {
    return byField.get(field);
  }

  /**
   * Whether some vector field's links differ from what its {@code payload_m} and the payload schema ask for: missing
   * (the segment was sealed before payload_m was set, or a rebuild was cut short), built with another
   * {@code payload_m} or from other indexed fields (an index added or dropped after sealing; links from a file that
   * did not record its fields count as stale once), or present while payload_m is 0.
   */
  boolean stale(CollectionConfig config, Map<String, HnswIndex> graphs) {
    for (var e : config.vectors().entrySet()) {
      if (stale(e.getKey(), e.getValue().hnsw().payloadM(), config, graphs)) {
        return true;
      }
    }
    return false;
  }

  private boolean stale(String field, int want, CollectionConfig config, Map<String, HnswIndex> graphs) {
    PayloadLinks have = byField.get(field);
    if (want == 0 || have == null) {
      return want == 0 ? have != null : graphs.get(field) != null;
    }
    return have.payloadM() != want || !SegmentLinks.sourceFields(config).equals(have.sourceFields());
  }

  /**
   * Brings every vector field's links in line with its {@code payload_m}: builds and writes the missing or stale ones
   * (atomically, so a crash leaves the old file or none, and the optimizer finishes the job after the next open), and
   * deletes them where payload_m is 0. Searches started before keep the links they took.
   */
  void relink(CollectionConfig config, Map<String, HnswIndex> graphs, PayloadIndex payloadIndex, int count)
      throws IOException {
    for (var e : config.vectors().entrySet()) {
      String field = e.getKey();
      int want = e.getValue().hnsw().payloadM();
      HnswIndex graph = graphs.get(field);
      if (want == 0 || graph == null) {
        byField.remove(field);
        Files.deleteIfExists(file(dir, field));
        continue;
      }
      if (byField.get(field) != null && !stale(field, want, config, graphs)) {
        continue;
      }
      PayloadLinks built = SegmentLinks.build(field, graph, payloadIndex, count, config);
      built.write(file(dir, field));
      byField.put(field, built);
    }
    AtomicFiles.syncDirectory(dir);
  }

  PayloadLinks.Group[] forFilter(String field, Filter filter, Set<String> tenantFields, int ordinals) {
    return SegmentLinks.forFilter(byField.get(field), filter, tenantFields, ordinals);
  }

  /** Heap bytes of the links of every vector field. */
  long ramBytes() {
    return byField.values().stream().mapToLong(PayloadLinks::ramBytesUsed).sum();
  }
}
