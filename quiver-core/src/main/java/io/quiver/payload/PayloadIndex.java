package io.quiver.payload;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.filter.Filter;
import io.quiver.filter.PayloadPath;
import io.quiver.filter.TextAnalysis;
import io.quiver.filter.TextFields;
import io.quiver.storage.CorruptFileException;
import io.quiver.text.TextIndexParams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntFunction;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * The payload index of one segment: for each indexed field (a payload path, as in filter conditions, with a
 * {@link FieldSchema}) posting lists and range structures over the segment's dense ordinals, and the filter
 * evaluation that uses them.
 *
 * <p><b>Evaluation.</b> {@link #evaluate} first bounds the matches with the indexes alone (see
 * {@link FilterEvaluator}): conditions on indexed fields are answered exactly, must / should / must_not /
 * min_should combine by bitmap algebra, and whatever the indexes cannot decide (geo, nested, unindexed keys,
 * values of an unexpected type) is checked with {@code filter.test} on just the ordinals left undecided. The result
 * always equals testing the filter on every live point. Live ordinals never {@link #add added} here are undecided,
 * so a segment may publish a point before indexing it.
 *
 * <p><b>Threads.</b> Any number of readers ({@link #evaluate}, {@link #estimate}, {@link #writeTo}) run alongside
 * one writer. Writes ({@link #add}, {@link #update}, {@link #remove}, field changes) are serialized by a writer
 * mutex and mutate under the write side of a read-write lock; readers hold the read side while they compute with
 * the indexes and release it before per-point checks, which read payloads through the caller's accessor. A reader
 * therefore sees each write entirely or not at all. {@link #createField} builds outside the lock (readers go on
 * using the other fields) and installs the new field under it.
 *
 * <p><b>Contract.</b> Add each ordinal once; to change its payload call {@link #update} or {@link #remove} with
 * the payload it was indexed with (values are found again from it).
 */
public final class PayloadIndex {
  /** Payloads checked when estimating a filter the indexes cannot decide alone. */
  static final int ESTIMATE_SAMPLE = 128;
  private static final long ESTIMATE_SEED = 0x5EEDL;

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ReentrantLock writer = new ReentrantLock();
  private final RoaringBitmap ordinals;
  private final Map<String, FieldIndex> fields;
  /** Key to analysis of the text fields: an immutable snapshot replaced when fields change. */
  private volatile Map<String, TextAnalysis> textAnalyses = Map.of();

  public PayloadIndex() {
    this(new RoaringBitmap(), new HashMap<>());
  }

  private PayloadIndex(RoaringBitmap ordinals, Map<String, FieldIndex> fields) {
    this.ordinals = ordinals;
    this.fields = fields;
    refreshTextFields();
  }

  // ------------------------------------------------------------------ fields

  /**
   * Indexes {@code key} with {@code schema}, over every ordinal added so far (their payloads come from
   * {@code payloads}). Returns false when the field is already indexed with that schema; another schema replaces it.
   */
  public boolean createField(String key, FieldSchema schema, IntFunction<JsonNode> payloads) {
    return createField(key, schema, null, payloads);
  }

  /**
   * {@link #createField(String, FieldSchema, IntFunction)}, with {@code textParams} configuring a
   * {@link FieldSchema#TEXT} field (null: Qdrant's defaults; ignored for other schemas). A text field with other
   * parameters is rebuilt.
   */
  public boolean createField(String key, FieldSchema schema, TextIndexParams textParams,
      IntFunction<JsonNode> payloads) {
    if (!PayloadPath.isValidKey(key)) {
      throw new IllegalArgumentException("invalid field key '" + key + "': segments are names, optionally with []");
    }
    Objects.requireNonNull(schema, "schema");
    writer.lock();
    try {
      FieldIndex existing = fields.get(key);
      TextIndexParams text = schema != FieldSchema.TEXT ? null
          : textParams == null ? TextIndexParams.DEFAULT : textParams;
      if (existing != null && existing.schema == schema && Objects.equals(existing.textParams(), text)) {
        return false;
      }
      FieldIndex f = new FieldIndex(key, schema, text);
      // ordinals only change under the writer mutex, which this thread holds
      for (IntIterator it = ordinals.getIntIterator(); it.hasNext(); ) {
        int ord = it.next();
        f.add(ord, payloads.apply(ord));
      }
      lock.writeLock().lock();
      try {
        fields.put(key, f);
        refreshTextFields();
      } finally {
        lock.writeLock().unlock();
      }
      return true;
    } finally {
      writer.unlock();
    }
  }

  /** Stops indexing {@code key}; returns whether it was indexed. */
  public boolean dropField(String key) {
    writer.lock();
    lock.writeLock().lock();
    try {
      boolean removed = fields.remove(key) != null;
      refreshTextFields();
      return removed;
    } finally {
      lock.writeLock().unlock();
      writer.unlock();
    }
  }

  /** Rebuilds the snapshot {@link #textFields()} reads; the caller holds the write lock. */
  private void refreshTextFields() {
    Map<String, TextAnalysis> m = new HashMap<>();
    fields.values().forEach(f -> {
      if (f.text != null) {
        m.put(f.key, f.text.analyzer);
      }
    });
    textAnalyses = Map.copyOf(m);
  }

  /**
   * The text fields of this index with their analysis: what a per-point check of this segment's points passes to
   * {@link io.quiver.filter.Condition#test(io.quiver.PointId, JsonNode, TextFields)} so full-text conditions mean
   * the same with and without the index's help.
   */
  public TextFields textFields() {
    Map<String, TextAnalysis> m = textAnalyses;
    return m.isEmpty() ? TextFields.NONE : m::get;
  }

  /** The parameters of the text field {@code key}, or null when it is not a text field. */
  public TextIndexParams textParams(String key) {
    lock.readLock().lock();
    try {
      FieldIndex f = fields.get(key);
      return f == null ? null : f.textParams();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The indexed fields and their schemas, sorted by key. */
  public Map<String, FieldSchema> fields() {
    lock.readLock().lock();
    try {
      Map<String, FieldSchema> out = new LinkedHashMap<>();
      fields.values().stream().sorted(Comparator.comparing(f -> f.key))
          .forEach(f -> out.put(f.key, f.schema));
      return Collections.unmodifiableMap(out);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The ordinals holding each value of the keyword or integer field {@code key} (a String or Long key), for the values
   * held by more than {@code minExclusive} and at most {@code maxInclusive} ordinals; copies. Empty for a field of
   * another schema or not indexed. Payload-aware graph links are built from these groups.
   */
  public Map<Object, RoaringBitmap> valueGroups(String key, int minExclusive, int maxInclusive) {
    lock.readLock().lock();
    try {
      FieldIndex f = fields.get(key);
      Map<Object, RoaringBitmap> out = new LinkedHashMap<>();
      if (f == null || (f.schema != FieldSchema.KEYWORD && f.schema != FieldSchema.INTEGER)) {
        return out;
      }
      f.postings.forEach((value, ordinals) -> {
        int n = ordinals instanceof RoaringBitmap b ? b.getCardinality() : 1;
        if (n > minExclusive && n <= maxInclusive) {
          out.put(value, ordinals instanceof RoaringBitmap b ? b.clone() : RoaringBitmap.bitmapOf((Integer) ordinals));
        }
      });
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  // ------------------------------------------------------------------ points

  /** Indexes the payload (a JSON object, or null) of a new ordinal. */
  public void add(int ordinal, JsonNode payload) {
    checkOrdinal(ordinal);
    writer.lock();
    lock.writeLock().lock();
    try {
      if (!ordinals.checkedAdd(ordinal)) {
        throw new IllegalStateException("ordinal " + ordinal + " is already indexed; use update(ordinal, oldPayload, "
            + "newPayload) to change its payload");
      }
      for (FieldIndex f : fields.values()) {
        f.add(ordinal, payload);
      }
    } finally {
      lock.writeLock().unlock();
      writer.unlock();
    }
  }

  /** Replaces the payload of an indexed ordinal: readers see the old or the new payload's entries, never a mix. */
  public void update(int ordinal, JsonNode oldPayload, JsonNode newPayload) {
    checkOrdinal(ordinal);
    writer.lock();
    lock.writeLock().lock();
    try {
      if (!ordinals.contains(ordinal)) {
        throw new IllegalStateException("ordinal " + ordinal + " is not indexed; add it first");
      }
      for (FieldIndex f : fields.values()) {
        f.remove(ordinal, oldPayload);
        f.add(ordinal, newPayload);
      }
    } finally {
      lock.writeLock().unlock();
      writer.unlock();
    }
  }

  /** Forgets an ordinal that was indexed with {@code oldPayload}; returns whether it was indexed. */
  public boolean remove(int ordinal, JsonNode oldPayload) {
    checkOrdinal(ordinal);
    writer.lock();
    lock.writeLock().lock();
    try {
      if (!ordinals.checkedRemove(ordinal)) {
        return false;
      }
      for (FieldIndex f : fields.values()) {
        f.remove(ordinal, oldPayload);
      }
      return true;
    } finally {
      lock.writeLock().unlock();
      writer.unlock();
    }
  }

  /** Number of ordinals indexed. */
  public int size() {
    lock.readLock().lock();
    try {
      return ordinals.getCardinality();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Folds pending range entries into sorted arrays and compresses bitmaps; call when sealing a segment. */
  public void compact() {
    writer.lock();
    lock.writeLock().lock();
    try {
      ordinals.runOptimize();
      fields.values().forEach(FieldIndex::compact);
    } finally {
      lock.writeLock().unlock();
      writer.unlock();
    }
  }

  private static void checkOrdinal(int ordinal) {
    if (ordinal < 0) {
      throw new IllegalArgumentException("ordinal must be >= 0, got " + ordinal);
    }
  }

  // ------------------------------------------------------------------ filtering

  /** The live ordinals of {@code segment} whose point passes {@code filter}; a new bitmap. */
  public RoaringBitmap evaluate(Filter filter, SegmentView segment) {
    Bounded b = bound(filter, segment);
    RoaringBitmap result = b.sure();
    TextFields text = textFields();
    for (IntIterator it = b.undecided().getIntIterator(); it.hasNext(); ) {
      int ord = it.next();
      if (filter.test(segment.ids().apply(ord), segment.payloads().apply(ord), text)) {
        result.add(ord);
      }
    }
    return result;
  }

  /**
   * How many live points of {@code segment} pass {@code filter}. When the indexes decide the filter alone, the
   * answer is exact and no payload is read. Otherwise, with {@code sure} decided matches and {@code u} undecided
   * ordinals: min = sure, max = sure + u, and expected = sure + u times the pass rate of up to
   * {@value #ESTIMATE_SAMPLE} undecided ordinals drawn with a fixed seed (so equal inputs give equal estimates); when
   * u is at most the sample size every undecided ordinal is checked and the answer is exact again.
   */
  public Cardinality estimate(Filter filter, SegmentView segment) {
    Bounded b = bound(filter, segment);
    int sure = b.sure().getCardinality();
    int u = b.undecided().getCardinality();
    TextFields text = textFields();
    if (u == 0) {
      return Cardinality.exact(sure);
    }
    if (u <= ESTIMATE_SAMPLE) {
      int pass = 0;
      for (IntIterator it = b.undecided().getIntIterator(); it.hasNext(); ) {
        int ord = it.next();
        pass += filter.test(segment.ids().apply(ord), segment.payloads().apply(ord), text) ? 1 : 0;
      }
      return Cardinality.exact(sure + pass);
    }
    Random rnd = new Random(ESTIMATE_SEED);
    int pass = 0;
    // Floyd's sampling of ESTIMATE_SAMPLE distinct ranks out of u
    RoaringBitmap ranks = new RoaringBitmap();
    for (int j = u - ESTIMATE_SAMPLE; j < u; j++) {
      int t = rnd.nextInt(j + 1);
      ranks.add(ranks.contains(t) ? j : t);
    }
    for (IntIterator it = ranks.getIntIterator(); it.hasNext(); ) {
      int ord = b.undecided().select(it.next());
      pass += filter.test(segment.ids().apply(ord), segment.payloads().apply(ord), text) ? 1 : 0;
    }
    int expected = sure + (int) Math.round((double) pass * u / ESTIMATE_SAMPLE);
    return new Cardinality(sure, expected, sure + u);
  }

  /** Matches the indexes decide ({@code sure}) and live ordinals only a per-point check can decide. */
  private record Bounded(RoaringBitmap sure, RoaringBitmap undecided) {}

  private Bounded bound(Filter filter, SegmentView segment) {
    Objects.requireNonNull(filter, "filter");
    RoaringBitmap live = segment.live();
    if (filter.must().isEmpty() && filter.should().isEmpty() && filter.mustNot().isEmpty()
        && filter.minShould() == null) {
      return new Bounded(live.clone(), new RoaringBitmap());
    }
    lock.readLock().lock();
    try {
      RoaringBitmap universe = RoaringBitmap.and(live, ordinals);
      FilterEvaluator.Bounds b = new FilterEvaluator(fields, universe, segment.ids(), segment.ordinalOf())
          .filter(filter);
      RoaringBitmap undecided = RoaringBitmap.andNot(b.possible(), b.sure());
      undecided.or(RoaringBitmap.andNot(live, ordinals));
      // the evaluator's bitmaps are all new (every leaf intersects with the universe), so sure is ours to return
      return new Bounded(b.sure(), undecided);
    } finally {
      lock.readLock().unlock();
    }
  }

  // ------------------------------------------------------------------ serialization

  /** Writes the whole index (format in docs/format.md, "Payload index"). */
  public void writeTo(OutputStream out) throws IOException {
    out.write(serialize(1 << 16));
  }

  /** The serialized index, built in a buffer that starts at {@code initialCapacity} bytes. */
  byte[] serialize(int initialCapacity) {
    lock.readLock().lock();
    try {
      return PayloadIndexFormat.write(ordinals, fields, initialCapacity);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Reads an index written by {@link #writeTo}, checking its header and CRC32C. */
  public static PayloadIndex readFrom(InputStream in) throws IOException {
    return readFrom(ByteBuffer.wrap(in.readAllBytes()));
  }

  /** Reads an index from the remaining bytes of {@code bytes} (heap or mapped). */
  public static PayloadIndex readFrom(ByteBuffer bytes) throws CorruptFileException {
    PayloadIndexFormat.Contents c = PayloadIndexFormat.read(bytes);
    return new PayloadIndex(c.ordinals(), new HashMap<>(c.fields()));
  }
}
