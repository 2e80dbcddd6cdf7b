package io.quiver.collection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.index.disk.DiskMergeResult;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.PayloadLinks;
import io.quiver.payload.PayloadIndex;
import io.quiver.storage.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.roaringbitmap.RoaringBitmap;

/**
 * Writes a fully indexed mutable segment as a sealed segment directory (files in {@link SealedSegment}). A vector
 * field whose params ask for {@link VectorParams#diskSegments() disk segments} is written as a {@link DiskField}
 * (its HNSW graph, vector file, codes and payload links are not written); every other field as its HNSW graph and
 * vector file, with payload links and quantized codes when configured.
 */
final class SegmentWriter {
  private static final System.Logger LOG = System.getLogger("io.quiver.collection");

  private SegmentWriter() {}

  /**
   * A sealed segment whose disk fields a rewrite merges into rather than building new graphs: the rewrite's first
   * {@code kept} ordinals are its ordinals in {@code keep}, ascending.
   */
  record MergeBase(SealedSegment segment, RoaringBitmap keep, int kept, int threads) {}

  /**
   * Writes the first {@code count} ordinals of {@code source} (fully indexed, no longer written) as a segment in the
   * new directory {@code dir}, every file fsync'd.
   */
  static void write(Path dir, MutableSegment source, int count, ObjectMapper json, CollectionConfig config)
      throws IOException {
    write(dir, source, count, json, config, null);
  }

  /**
   * As {@link #write(Path, MutableSegment, int, ObjectMapper, CollectionConfig)}; a disk field that {@code mergeBase}
   * (nullable) also has as a disk field is merged into its graph when {@link DiskField#canMergeInto} allows.
   *
   * @return the number of disk fields written by merging into the base's graph
   */
  static int write(Path dir, MutableSegment source, int count, ObjectMapper json, CollectionConfig config,
      MergeBase mergeBase) throws IOException {
    int merged = 0;
    Files.createDirectories(dir);
    SegmentFiles.writeIds(dir.resolve("ids.bin"), source, count);
    byte[][] payloadBytes = new byte[count][];
    for (int i = 0; i < count; i++) {
      ObjectNode p = source.payload(i);
      payloadBytes[i] = p == null ? null : json.writeValueAsBytes(p);
    }
    SegmentFiles.writePayloads(dir.resolve("payloads.bin"), payloadBytes);
    for (var e : source.lanes().entrySet()) {
      String field = e.getKey();
      VectorParams vp = config.vector(field);
      if (vp.diskSegments()) {
        DiskField from = mergeBase == null ? null : mergeBase.segment().diskField(field);
        if (mergeBase != null && DiskField.canMergeInto(from, vp, mergeBase.kept(), count)) {
          DiskMergeResult r = DiskField.writeMerged(dir, SealedSegment.fieldFile(field), source, field, count, vp,
              from, mergeBase.keep(), mergeBase.kept(), mergeBase.threads());
          merged++;
          LOG.log(System.Logger.Level.DEBUG, "segment " + dir.getFileName() + " field '" + field + "': merged into "
              + "the graph of segment " + mergeBase.segment().id + " (" + r.kept() + " kept, " + r.added()
              + " inserted, " + r.repaired() + " repaired) in " + r.totalNanos() / 1_000_000 + " ms");
        } else {
          DiskField.write(dir, SealedSegment.fieldFile(field), source, field, count, vp);
        }
        continue;
      }
      // the few nodes pruning left without in-links on level 0 would never be found by a walk: link them back first
      int relinked = e.getValue().graph.connectLevel0(ord -> ord < count && !source.isDeleted(ord));
      if (relinked > 0) {
        LOG.log(System.Logger.Level.DEBUG, "segment " + dir.getFileName() + " field '" + field + "': linked "
            + relinked + " unreachable nodes back into level 0");
      }
      e.getValue().graph.save(dir, SealedSegment.fieldFile(field));
      writePayloadLinks(dir, field, e.getValue().graph, source.payloadIndex(), count, config);
      if (config.quantization() != null) {
        QuantizedField q = QuantizedField.build(config.quantization(), vp.metric(), vp.size(), count,
            i -> source.vector(field, i));
        if (q != null) {
          q.write(dir, SealedSegment.fieldFile(field));
        }
      }
    }
    for (String field : config.sparseVectors().keySet()) {
      MutableSparseIndex sparse = source.sparse(field);
      if (sparse != null) { // a field declared after the source was created has no points in it
        SealedSparseIndex.write(dir, field, sparse, count);
      }
    }
    for (var e : config.multiVectors().entrySet()) {
      MultiVectorStore multi = source.multi(e.getKey());
      if (multi != null) { // a field declared after the source was created has no points in it
        SealedMultiVectors.write(dir, e.getKey(), e.getValue(), multi, count);
      }
    }
    source.payloadIndex().compact();
    SealedSegment.writePayloadIndex(dir, source.payloadIndex());
    AtomicFiles.syncDirectory(dir);
    AtomicFiles.syncDirectory(dir.getParent()); // the segment directory's own entry
    return merged;
  }

  /**
   * Builds and writes the payload links of vector field {@code field} when its {@code payload_m} is set: one group per
   * value of each indexed keyword or integer field, for the values the planner would walk the graph for (more points
   * than it scans exactly) and whose links a walk would follow (at most {@link SegmentLinks#MAX_LINKED_FRACTION} of the segment,
   * and at most the ACORN share).
   */
  private static void writePayloadLinks(Path dir, String field, HnswIndex graph, PayloadIndex payloadIndex, int count,
      CollectionConfig config) throws IOException {
    PayloadLinks links = SegmentLinks.build(field, graph, payloadIndex, count, config);
    if (links != null) {
      links.write(SealedPayloadLinks.file(dir, field));
    }
  }
}
