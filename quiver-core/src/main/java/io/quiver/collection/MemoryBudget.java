package io.quiver.collection;

import io.quiver.QuiverException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The most heap a process's collections may hold together: vectors, graphs, codes, payload links and caches as their
 * {@link StorageUsage} reports them (mapped files are not counted: the kernel evicts their pages under pressure). An
 * operation that would grow the total past the limit first drops the collections' caches, then, if it still does
 * not fit, is refused with {@link QuiverException.OverBudget} before anything is applied.
 *
 * <p>A check sums each collection's per-segment byte counts (tens of segments, no per-point work), once per batch or
 * job, never per point. The estimate of what an operation adds is an upper bound of its lasting heap; writes already
 * admitted may together overshoot the limit by at most one batch each.
 */
public final class MemoryBudget {
  /** No limit: every check passes (the collections still report their bytes). */
  public static final long UNLIMITED = 0;
  private static final System.Logger LOG = System.getLogger("io.quiver.collection");

  private final long limitBytes;
  private final Set<Collection> collections = ConcurrentHashMap.newKeySet();

  private MemoryBudget(long limitBytes) {
    if (limitBytes < 0) {
      throw new IllegalArgumentException("memory budget must be >= 0 bytes (0: none), got " + limitBytes);
    }
    this.limitBytes = limitBytes;
  }

  /** A budget of {@code limitBytes} ({@link #UNLIMITED}: none). */
  public static MemoryBudget of(long limitBytes) {
    return new MemoryBudget(limitBytes);
  }

  public static MemoryBudget unlimited() {
    return new MemoryBudget(UNLIMITED);
  }

  /** The limit in bytes; {@link #UNLIMITED} when there is none. */
  public long limitBytes() {
    return limitBytes;
  }

  public boolean limited() {
    return limitBytes != UNLIMITED;
  }

  /** Heap bytes the collections under this budget hold now. */
  public long usedBytes() {
    long used = 0;
    for (Collection c : collections) {
      used += c.heapBytesForBudget();
    }
    return used;
  }

  void register(Collection c) {
    collections.add(c);
  }

  void unregister(Collection c) {
    collections.remove(c);
  }

  /**
   * Admits an operation adding about {@code bytes} of heap, dropping caches first when it would not fit otherwise.
   *
   * @param what the operation, for the message (e.g. "upsert of 1000 points into collection docs")
   * @throws QuiverException.OverBudget when it does not fit even without caches
   */
  public void reserve(long bytes, String what) {
    if (!fits(bytes)) {
      throw new QuiverException.OverBudget(what + " needs about " + mib(bytes) + " of memory, but Quiver holds "
          + mib(usedBytes()) + " of its " + mib(limitBytes) + " memory budget (storage.memory_budget); delete points,"
          + " quantize with codes on disk, or raise the budget");
    }
  }

  /** Whether an operation adding about {@code bytes} fits, after dropping caches if need be. */
  public boolean fits(long bytes) {
    if (!limited()) {
      return true;
    }
    long used = usedBytes();
    if (used + bytes <= limitBytes) {
      return true;
    }
    for (Collection c : collections) {
      c.dropCaches();
    }
    long after = usedBytes();
    LOG.log(System.Logger.Level.DEBUG, "memory budget: dropped caches, {0} -> {1}", mib(used), mib(after));
    return after + bytes <= limitBytes;
  }

  /**
   * Heap one point adds to a mutable segment, at most: per vector field the vector (once: the graph reads the
   * segment's store), a full level-0 neighbour list and its bookkeeping; per point its id entries and presence bits.
   */
  static long pointBytes(CollectionConfig config) {
    long bytes = 64;
    for (VectorParams v : config.vectors().values()) {
      bytes += (long) Float.BYTES * v.size() + Integer.BYTES * (v.hnsw().maxConnections(0) + 1L) + 16;
    }
    return bytes;
  }

  /** Heap the codes of {@code count} points take under {@code config}'s quantization (0 without one). */
  static long codesBytes(CollectionConfig config, long count) {
    QuantizationConfig q = config.quantization();
    if (q == null) {
      return 0;
    }
    long perPoint = 0;
    for (VectorParams v : config.vectors().values()) {
      int dim = v.size();
      perPoint += switch (q.kind()) {
        case INT8 -> dim + Float.BYTES;
        case FLOAT16 -> 2L * dim;
        case BINARY -> (dim + 7) / 8 + 2L * Float.BYTES;
        case PRODUCT -> QuantizedField.subspaces(q, dim);
      };
    }
    return perPoint * count;
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
