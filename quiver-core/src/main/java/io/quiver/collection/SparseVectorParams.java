package io.quiver.collection;

import java.util.Locale;
import java.util.Objects;

/**
 * One sparse vector field of a collection, as Qdrant's {@code SparseVectorParams}. {@code modifier} IDF multiplies
 * each query weight by the term's inverse document frequency over the live collection at query time. The index
 * options are Qdrant's: {@code onDisk} keeps sealed segments' inverted indexes in their mapped files (else they are
 * copied to RAM at open); {@code fullScanThreshold} and {@code datatype} are accepted and echoed (every search scores
 * exactly, and values are stored as float32).
 *
 * @param fullScanThreshold Qdrant's {@code index.full_scan_threshold}, or null when not given
 * @param datatype Qdrant's {@code index.datatype}: {@code float32}, {@code float16} or {@code uint8}, or null
 */
public record SparseVectorParams(Modifier modifier, Integer fullScanThreshold, boolean onDisk, String datatype) {
  /** Qdrant's sparse {@code modifier}. */
  public enum Modifier {
    NONE,
    IDF;

    /** Parses {@code none} or {@code idf} (any case). */
    public static Modifier parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "none" -> NONE;
        case "idf" -> IDF;
        default -> throw new IllegalArgumentException("unknown sparse modifier '" + s + "', expected none or idf");
      };
    }

    public String qdrantName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final SparseVectorParams DEFAULT = new SparseVectorParams(Modifier.NONE, null, false, null);

  public SparseVectorParams {
    Objects.requireNonNull(modifier, "modifier");
    if (fullScanThreshold != null && fullScanThreshold < 0) {
      throw new IllegalArgumentException("full_scan_threshold must be >= 0, got " + fullScanThreshold);
    }
    if (datatype != null && !datatype.equals("float32") && !datatype.equals("float16")
        && !datatype.equals("uint8")) {
      throw new IllegalArgumentException("datatype must be float32, float16 or uint8, got '" + datatype + "'");
    }
  }

  public static SparseVectorParams of(Modifier modifier) {
    return new SparseVectorParams(modifier, null, false, null);
  }
}
