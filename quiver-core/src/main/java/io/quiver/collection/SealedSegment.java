package io.quiver.collection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.distance.Metric;
import io.quiver.filter.Filter;
import io.quiver.index.IndexFiles;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorFile;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.PayloadLinks;
import io.quiver.payload.FieldSchema;
import io.quiver.text.TextIndexParams;
import io.quiver.payload.PayloadIndex;
import io.quiver.quantization.QuantizedScorer;
import io.quiver.storage.AtomicFiles;
import io.quiver.storage.CorruptFileException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * An immutable segment on disk, in its own directory: {@code ids.bin}, {@code payloads.bin} and per vector field
 * an HNSW graph and vector file, or a disk index ({@link DiskField}) for fields sealed with
 * {@link VectorParams#diskSegments() disk segments} (see {@link SegmentFiles} and docs/format.md). Ids and payloads
 * are read through a memory mapping; vectors are mapped too for {@code on_disk} fields, else copied to the heap at
 * open; a disk index keeps only its codes, routing layers and tombstones in RAM. Only the tombstones change after
 * sealing, and they are persisted through the manifest's deletes file (and mirrored into the disk indexes).
 */
final class SealedSegment extends Segment {
  private final Path dir;
  private final int count;
  private final ObjectMapper json;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment ids;
  private final MemorySegment payloads;
  private final Map<String, HnswIndex> fields = new LinkedHashMap<>();
  /** Disk-resident vector fields (these have no entry in {@link #fields}); chosen by the files the segment has. */
  private final Map<String, DiskField> diskFields = new LinkedHashMap<>();
  /** Quantized codes by vector field, for the fields that have them. */
  private final Map<String, QuantizedField> quantizedFields = new ConcurrentHashMap<>();
  /** Payload-aware links by vector field, for the fields whose segment files have them. */
  private final SealedPayloadLinks payloadLinks;
  /** Built by the first {@link BoundedScan} of a field. */
  private final Map<String, ExactScanCodes> exactScanCodes = new ConcurrentHashMap<>();
  /** Sparse vector fields; a field the segment has no file for (declared after sealing) has no points here. */
  private final Map<String, SealedSparseIndex> sparse = new LinkedHashMap<>();
  /** Multi-vector fields; as for sparse ones, a field without a file here has no points here. */
  private final Map<String, SealedMultiVectors> multi = new LinkedHashMap<>();
  private final PayloadIndex payloadIndex;
  /** Filter matches and parsed payloads (never mutated by callers). */
  private final SegmentCaches caches;

  /** Opened by a checker: nothing is written, and the payload index file is only read (see payloadIndexStale). */
  private final boolean readOnly;
  /** Whether the payload index file was missing or did not match the schema (a writable open rewrites it). */
  private boolean payloadIndexStale;

  private SealedSegment(long id, Path dir, int count, CollectionConfig config, ObjectMapper json, boolean readOnly)
      throws IOException {
    super(id);
    this.dir = dir;
    this.count = count;
    this.json = json;
    this.readOnly = readOnly;
    this.caches = new SegmentCaches(count);
    this.payloadLinks = new SealedPayloadLinks(dir);
    try {
      this.ids = SegmentFiles.map(dir.resolve("ids.bin"), arena, SegmentFiles.IDS_MAGIC, count);
      this.payloads = SegmentFiles.map(dir.resolve("payloads.bin"), arena, SegmentFiles.PAYLOADS_MAGIC, count);
      for (var e : config.vectors().entrySet()) {
        if (DiskField.exists(dir, fieldFile(e.getKey()))) {
          diskFields.put(e.getKey(), DiskField.open(dir, fieldFile(e.getKey()), count, e.getValue()));
          continue;
        }
        QuantizedField q = QuantizedField.read(dir, fieldFile(e.getKey()), count);
        if (q != null) {
          quantizedFields.put(e.getKey(), q);
        }
        // with codes in RAM the full vectors are only read to rerank: they stay in the mapped file
        HnswIndex graph = HnswIndex.open(dir, fieldFile(e.getKey()), e.getValue().onDisk() || q != null || readOnly);
        fields.put(e.getKey(), graph);
        // segments sealed without payload_m (or before it existed) have none: the optimizer builds them if asked
        payloadLinks.load(e.getKey(), graph);
      }
      for (var e : config.sparseVectors().entrySet()) {
        if (Files.exists(SealedSparseIndex.file(dir, e.getKey()))) {
          sparse.put(e.getKey(), SealedSparseIndex.open(dir, e.getKey(), count, e.getValue().onDisk() || readOnly,
              arena));
        }
      }
      SealedMultiVectors.openAll(dir, config, count, readOnly, arena, multi);
      this.payloadIndex = loadPayloadIndex(dir, config);
    } catch (IOException | RuntimeException e) {
      closeResources();
      throw e;
    }
  }

  static SealedSegment open(long id, Path dir, int count, CollectionConfig config, ObjectMapper json)
      throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new CorruptFileException(dir, "the segment directory named by the manifest is missing");
    }
    return new SealedSegment(id, dir, count, config, json, false);
  }

  /**
   * Opens the segment for a consistency check: every file is read and its checksums verified as by {@link #open},
   * vectors stay in their mapped files, and nothing is written (a payload index that a writable open would rebuild
   * is reported by {@link #payloadIndexStale} instead).
   */
  static SealedSegment openReadOnly(long id, Path dir, int count, CollectionConfig config, ObjectMapper json)
      throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new CorruptFileException(dir, "the segment directory named by the manifest is missing");
    }
    return new SealedSegment(id, dir, count, config, json, true);
  }

  /** The HNSW graph of each vector field that has one (not the disk-resident ones). */
  Map<String, HnswIndex> graphs() {
    return Map.copyOf(fields);
  }

  /** The disk index of each disk-resident vector field. */
  Map<String, DiskField> diskFields() {
    return Map.copyOf(diskFields);
  }

  @Override
  SparseIndex sparse(String name) {
    return sparse.get(name);
  }

  @Override
  MultiVectorStore multi(String name) {
    return multi.get(name);
  }

  @Override
  DiskField diskField(String name) {
    return diskFields.get(name);
  }

  @Override
  void tombstoned(int ordinal) {
    for (DiskField f : diskFields.values()) {
      f.delete(ordinal);
    }
  }

  /** Whether the payload index file was missing or behind the schema at open (read-only opens leave it so). */
  boolean payloadIndexStale() {
    return payloadIndexStale;
  }

  /**
   * Reads {@code payload-index.bin}; fields the schema gained since it was written are built now (and the file
   * rewritten), fields it dropped are dropped.
   */
  private PayloadIndex loadPayloadIndex(Path dir, CollectionConfig config) throws IOException {
    Path file = dir.resolve(PAYLOAD_INDEX);
    PayloadIndex index;
    if (Files.exists(file)) {
      try (var ch = FileChannel.open(file, StandardOpenOption.READ)) {
        index = PayloadIndex.readFrom(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
      } catch (IOException e) {
        throw new CorruptFileException(file, e instanceof CorruptFileException c ? c.problem() : String.valueOf(e.getMessage()), e);
      }
    } else {
      index = new PayloadIndex();
      for (int ord = 0; ord < count; ord++) {
        index.add(ord, payload(ord));
      }
    }
    boolean changed = !Files.exists(file);
    for (String key : List.copyOf(index.fields().keySet())) {
      if (!config.payloadSchema().containsKey(key)) {
        changed |= index.dropField(key);
      }
    }
    for (var e : config.payloadSchema().entrySet()) {
      changed |= index.createField(e.getKey(), e.getValue(), config.textIndex(e.getKey()), this::payload);
    }
    payloadIndexStale = changed;
    if (changed && !readOnly) {
      writePayloadIndex(dir, index);
    }
    return index;
  }

  static final String PAYLOAD_INDEX = "payload-index.bin";

  /** Replaces the segment's payload index file atomically (it is derived data, rebuilt from payloads if lost). */
  static void writePayloadIndex(Path dir, PayloadIndex index) throws IOException {
    var bytes = new ByteArrayOutputStream();
    index.writeTo(bytes);
    AtomicFiles.write(dir.resolve(PAYLOAD_INDEX), bytes.toByteArray());
  }

  /** The cached matches of {@code filter} (never mutate them), or null. */
  RoaringBitmap cachedMatches(Filter filter) {
    return caches.matches(filter);
  }

  void cacheMatches(Filter filter, RoaringBitmap matches) {
    caches.putMatches(filter, matches);
  }

  @Override
  long cacheBytes() {
    return caches.bytes();
  }

  @Override
  void dropCaches() {
    caches.drop();
  }

  /** Applies a schema change to the loaded index and its file. */
  void updatePayloadSchema(String key, FieldSchema schema, TextIndexParams text) throws IOException {
    caches.clearMatches();
    boolean changed = schema == null ? payloadIndex.dropField(key)
        : payloadIndex.createField(key, schema, text, this::payload);
    if (changed) {
      writePayloadIndex(dir, payloadIndex);
    }
  }

  @Override
  PayloadIndex payloadIndex() {
    return payloadIndex;
  }

  /** Base file name of a vector field's files in a segment directory. */
  static String fieldFile(String field) {
    return "field-" + (field.isEmpty() ? "default" : field);
  }

  /** Whether some vector field's payload links differ from what the configuration asks for. */
  boolean payloadLinksStale(CollectionConfig config) {
    return payloadLinks.stale(config, fields);
  }

  /** Builds, rewrites or deletes payload links until they match {@code config} (see {@link SealedPayloadLinks}). */
  void relink(CollectionConfig config) throws IOException {
    payloadLinks.relink(config, fields, payloadIndex, count);
  }

  @Override
  PayloadLinks.Group[] payloadLinks(String name, Filter filter, Set<String> tenantFields) {
    return payloadLinks.forFilter(name, filter, tenantFields, ordinals());
  }

  /** Heap bytes of the payload links of every vector field. */
  long payloadLinkBytes() {
    return payloadLinks.ramBytes();
  }

  Path directory() {
    return dir;
  }

  @Override
  int ordinals() {
    return count;
  }

  @Override
  PointId idOf(int ordinal) {
    return SegmentFiles.readId(ids, ordinal);
  }

  @Override
  ObjectNode payload(int ordinal) {
    // parsed payloads are kept in pages the GC may drop under memory pressure: filters checked point by point
    // then parse each payload once instead of on every visit, without pinning them all in the heap
    return caches.payload(ordinal, this::parsePayload);
  }

  private ObjectNode parsePayload(int ordinal) {
    byte[] bytes = SegmentFiles.readPayload(payloads, count, ordinal);
    if (bytes == null) {
      return null;
    }
    try {
      return (ObjectNode) json.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("segment " + dir + ": payload of ordinal " + ordinal + " is unreadable", e);
    }
  }

  @Override
  boolean exactScanCodable(String name) {
    HnswIndex index = fields.get(name);
    return index != null && !diskFields.containsKey(name) && index.metric() == Metric.COSINE;
  }

  /** The int8 codes {@link BoundedScan} scans field {@code name} with, of every ordinal, built on first use. */
  @Override
  ExactScanCodes exactScanCodes(String name, int upTo) {
    return exactScanCodes.computeIfAbsent(name, n -> ExactScanCodes.build(this, n, fields.get(n).dimension()));
  }

  @Override
  float[] vector(String name, int ordinal) {
    DiskField disk = diskFields.get(name);
    if (disk != null) {
      return disk.vector(ordinal);
    }
    HnswIndex index = fields.get(name);
    return index == null ? null : index.vector(ordinal);
  }

  @Override
  GraphOutcome graphSearch(String name, float[] query, int k, SearchParams params, OrdinalFilter accept, Hits out,
      Quantized quantized) {
    return graphSearch(name, query, k, params, accept, out, quantized, null);
  }

  @Override
  GraphOutcome graphSearch(String name, float[] query, int k, SearchParams params, OrdinalFilter accept, Hits out,
      Quantized quantized, PayloadLinks.Group[] links) {
    DiskField disk = diskFields.get(name);
    if (disk != null) {
      return DiskSearch.graphSearch(this, disk, query, k, params.ef(), accept, out);
    }
    HnswIndex index = fields.get(name);
    QuantizedField codes = quantizedFields.get(name);
    if (codes == null || quantized == null) {
      SearchResult r = index.search(query, k, params, accept, null, links);
      if (!r.complete() || r.ordinals().length < k) {
        return new GraphOutcome(false, r.distanceComputations()); // starved or over budget: the caller scans
      }
      for (int i = 0; i < r.ordinals().length; i++) {
        out.offer(r.distances()[i], this, r.ordinals()[i]);
      }
      return new GraphOutcome(true, r.distanceComputations());
    }
    // walk on the codes with the full beam, rerank the best limit x oversampling of it (or all of it) with the full
    // vectors: those are read from the mapped file at ~0.5 us each, as dear as scoring two or three codes
    int candidates = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(k, Math.max(
        !quantized.wholeBeam() ? 0 : params.ef() > 0 ? params.ef() : index.config().efSearch(),
        Math.ceil(k * quantized.oversampling()))));
    SearchResult r = index.search(query, candidates, params, accept, codes.scorer(query), links); // ef >= candidates
    if (!r.complete() || r.ordinals().length < k) {
      return new GraphOutcome(false, r.distanceComputations());
    }
    int n = r.ordinals().length;
    if (!quantized.rescore()) {
      for (int i = 0; i < n; i++) {
        out.offer(r.distances()[i], this, r.ordinals()[i]);
      }
      return new GraphOutcome(true, r.distanceComputations());
    }
    float[] exact = new float[n];
    index.distances(query, r.ordinals(), n, exact);
    for (int i = 0; i < n; i++) {
      out.offer(exact[i], this, r.ordinals()[i]);
    }
    return new GraphOutcome(true, r.distanceComputations() + n);
  }

  /**
   * Whether some vector field's codes differ from what {@code config.quantization()} asks for: missing, of another
   * kind, or present while the collection has none.
   */
  boolean quantizationStale(CollectionConfig config) {
    QuantizationConfig q = config.quantization();
    for (var e : config.vectors().entrySet()) {
      QuantizedField have = quantizedFields.get(e.getKey());
      if (q == null ? have != null
          : have != null ? !have.matches(q, e.getValue().size()) : hasLiveVector(fields.get(e.getKey()))) {
        return true;
      }
    }
    return false;
  }

  private boolean hasLiveVector(HnswIndex index) {
    for (int i = 0; index != null && i < count; i++) {
      if (index.contains(i)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Re-encodes every vector field for {@code config.quantization()} (null: drops the codes), each field's old codes
   * file deleted before the new files are written, then swapped in for searches. The full vectors then move to
   * where an open would put them: the mapped file when the field has codes (or is on disk), else heap pages.
   */
  void requantize(CollectionConfig config) throws IOException {
    for (var e : config.vectors().entrySet()) {
      String field = e.getKey();
      String base = fieldFile(field);
      HnswIndex index = fields.get(field);
      QuantizedField.delete(dir, base);
      if (config.quantization() == null || index == null) {
        quantizedFields.remove(field);
        continue;
      }
      QuantizedField q = QuantizedField.build(config.quantization(), e.getValue().metric(), e.getValue().size(), count,
          index::vector);
      if (q == null) {
        quantizedFields.remove(field);
        continue;
      }
      q.write(dir, base);
      quantizedFields.put(field, q);
    }
    AtomicFiles.syncDirectory(dir);
    for (var e : config.vectors().entrySet()) {
      HnswIndex index = fields.get(e.getKey());
      boolean mapped = e.getValue().onDisk() || quantizedFields.containsKey(e.getKey());
      if (index != null && index.vectorsMapped() != mapped) {
        // the vectors' data checksum was verified when the segment was opened
        index.replaceVectors(VectorFile.open(IndexFiles.resolve(dir,
            fieldFile(e.getKey()), VectorFile.EXTENSION), mapped, false).vectors());
      }
    }
  }

  @Override
  QuantizedScorer codeScorer(String name, float[] query) {
    QuantizedField codes = quantizedFields.get(name);
    return codes == null ? null : codes.scorer(query);
  }

  /** Bytes of quantized codes held in RAM for this segment. */
  long quantizedBytes() {
    return quantizedFields.values().stream().mapToLong(QuantizedField::ramBytes).sum();
  }

  @Override
  boolean hasVector(String name, int ordinal) {
    DiskField disk = diskFields.get(name);
    if (disk != null) {
      return disk.hasVector(ordinal);
    }
    HnswIndex index = fields.get(name);
    return index != null && index.contains(ordinal);
  }

  @Override
  void distances(String name, float[] query, int[] ordinals, int count, float[] out) {
    DiskField disk = diskFields.get(name);
    if (disk != null) {
      disk.distances(query, ordinals, count, out);
      return;
    }
    fields.get(name).distances(query, ordinals, count, out);
  }

  @Override
  long indexedPoints() {
    return liveCount();
  }

  @Override
  long heapBytes() {
    long bytes = 0;
    for (HnswIndex index : fields.values()) {
      bytes += index.ramBytesUsed();
    }
    for (DiskField f : diskFields.values()) {
      bytes += f.ramBytes();
    }
    for (SealedSparseIndex s : sparse.values()) {
      bytes += s.inRam() ? s.bytes() : 0;
    }
    bytes += multi.values().stream().mapToLong(SealedMultiVectors::ramBytes).sum();
    bytes += exactScanCodes.values().stream().mapToLong(ExactScanCodes::ramBytes).sum();
    return bytes + quantizedBytes() + payloadLinkBytes();
  }

  @Override
  long mappedBytes() {
    long bytes = ids.byteSize() + payloads.byteSize();
    for (HnswIndex index : fields.values()) {
      bytes += index.mappedBytes();
    }
    for (DiskField f : diskFields.values()) {
      bytes += f.mappedBytes();
    }
    for (SealedSparseIndex s : sparse.values()) {
      bytes += s.inRam() ? 0 : s.bytes();
    }
    bytes += multi.values().stream().mapToLong(m -> m.inRam() ? 0 : m.bytes()).sum();
    return bytes;
  }

  @Override
  StorageUsage storage() {
    long vHeap = 0;
    long vMapped = 0;
    long vDisk = 0;
    long gHeap = 0;
    long gDisk = 0;
    long cHeap = 0;
    long cDisk = 0;
    long gMapped = 0;
    for (DiskField f : diskFields.values()) { // one file holds graph, compact and float vectors: counted as graph
      gHeap += f.ramBytes();
      gMapped += f.mappedBytes();
      gDisk += f.diskBytes();
    }
    for (var e : fields.entrySet()) {
      HnswIndex index = e.getValue();
      String base = fieldFile(e.getKey());
      vHeap += index.vectorRamBytes();
      vMapped += index.mappedBytes();
      vDisk += sizeOf(base + VectorFile.EXTENSION);
      gHeap += index.ramBytesUsed() - index.vectorRamBytes();
      gDisk += sizeOf(base + ".hnsw");
      PayloadLinks links = payloadLinks.get(e.getKey());
      gHeap += links == null ? 0 : links.ramBytesUsed(); // payload links count as graph
      gDisk += sizeOf(base + PayloadLinks.EXTENSION);
      QuantizedField q = quantizedFields.get(e.getKey());
      cHeap += q == null ? 0 : q.ramBytes();
      cDisk += sizeOf(QuantizedField.codesFile(base)) + sizeOf(QuantizedField.paramsFile(base));
    }
    return new StorageUsage(new StorageUsage.Part(vHeap, vMapped, vDisk), new StorageUsage.Part(gHeap, gMapped, gDisk),
        new StorageUsage.Part(cHeap, 0, cDisk), new StorageUsage.Part(0, ids.byteSize() + payloads.byteSize(),
            sizeOf("ids.bin") + sizeOf("payloads.bin") + sizeOf(PAYLOAD_INDEX)),
        new StorageUsage.Part(caches.bytes(), 0, 0));
  }

  private long sizeOf(String file) {
    try {
      return Files.size(dir.resolve(file));
    } catch (IOException e) {
      return 0; // absent (no such part), or removed by a concurrent re-encode
    }
  }

  @Override
  void closeResources() {
    for (HnswIndex index : fields.values()) {
      index.close();
    }
    for (DiskField f : diskFields.values()) {
      f.close();
    }
    multi.values().forEach(SealedMultiVectors::close);
    arena.close();
  }
}
