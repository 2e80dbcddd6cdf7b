package io.quiver.payload;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.filter.Values;
import java.time.Instant;
import java.util.UUID;

/**
 * How each schema turns a payload value into an index key, and a filter's match value into the key it looks up.
 * The rules keep the index exact against {@link io.quiver.filter.Condition#test}: a value is given a key only when
 * the key decides every comparison a condition makes with it; otherwise it is {@link #INEXACT} (of the field's kind
 * but not stored exactly, checked per point) or {@link #FOREIGN} (another kind, which only some conditions need).
 */
final class ValueKeys {
  /** A non-null value of another kind than the schema's (a string in an integer field, an object, a nested array). */
  static final Object FOREIGN = new Object();
  /** A value of the schema's kind that has no exact key (a float in an integer field, 2024-01-01T00:00:00.0000001Z). */
  static final Object INEXACT = new Object();

  /** 2^53: below it every whole double is an exact long and no two longs share a double. */
  static final long EXACT_DOUBLE_LIMIT = 1L << 53;
  /** Epoch microseconds a datetime key may take, about 146,000 years each side of 1970. */
  static final long MICROS_LIMIT = 1L << 62;
  static final long FLOAT_KEY_MIN = floatKey(Double.NEGATIVE_INFINITY);
  static final long FLOAT_KEY_MAX = floatKey(Double.POSITIVE_INFINITY);

  private ValueKeys() {}

  /**
   * The key of the non-null payload value {@code v} in a {@code schema} index: a String (keyword), Long (integer,
   * float as {@link #floatKey}, datetime as epoch micros), Boolean or UUID; or {@link #FOREIGN} / {@link #INEXACT}.
   */
  static Object keyOf(FieldSchema schema, JsonNode v) {
    return switch (schema) {
      case KEYWORD, TEXT -> v.isTextual() ? v.textValue() : FOREIGN;
      case BOOL -> v.isBoolean() ? (Object) v.booleanValue() : FOREIGN;
      case UUID -> !v.isTextual() ? FOREIGN : canonicalUuid(v.textValue()) != null ? canonicalUuid(v.textValue())
          : INEXACT;
      case INTEGER -> !v.isNumber() ? FOREIGN : integerKey(v);
      case FLOAT -> {
        if (!v.isNumber()) {
          yield FOREIGN;
        }
        double d = v.doubleValue();
        yield Double.isNaN(d) ? INEXACT : (Object) floatKey(d);
      }
      case DATETIME -> {
        Instant t = v.isTextual() ? Values.parseDatetimeOrNull(v.textValue()) : null;
        yield t == null ? FOREIGN : micros(t);
      }
    };
  }

  /** A Long for integral numbers in range and whole floats below 2^53 in magnitude; INEXACT otherwise. */
  private static Object integerKey(JsonNode v) {
    if (v.isIntegralNumber()) {
      return v.canConvertToLong() ? (Object) v.longValue() : INEXACT;
    }
    double d = v.doubleValue();
    return d == Math.rint(d) && Math.abs(d) < EXACT_DOUBLE_LIMIT ? (Object) (long) d : INEXACT;
  }

  /** Epoch microseconds as a Long, or INEXACT for sub-microsecond digits or a year beyond the key range. */
  private static Object micros(Instant t) {
    if (t.getNano() % 1000 != 0 || Math.abs(t.getEpochSecond()) > MICROS_LIMIT / 1_000_000) {
      return INEXACT;
    }
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
  }

  static Instant instantOfMicros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1000L);
  }

  /** The UUID when {@code s} is a UUID in canonical form (what {@link UUID#toString} prints), else null. */
  static UUID canonicalUuid(String s) {
    if (s.length() != 36) {
      return null;
    }
    try {
      UUID u = UUID.fromString(s);
      return u.toString().equals(s) ? u : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Order-preserving long for a non-NaN double (-0.0 is stored as 0.0, which every range treats alike). */
  static long floatKey(double d) {
    long bits = Double.doubleToLongBits(d == 0 ? 0.0 : d);
    return bits ^ ((bits >> 63) & Long.MAX_VALUE);
  }

  static double floatOfKey(long key) {
    return Double.longBitsToDouble(key ^ ((key >> 63) & Long.MAX_VALUE));
  }

  /**
   * What a {@code match} value looks up in a postings index.
   *
   * @param key the key whose posting list holds the values equal to it, or null when no indexed value can equal it
   * @param inexact values the index holds as INEXACT might equal it too
   * @param foreign values the index holds as FOREIGN might equal it
   * @param unknown the index cannot bound the matches: any non-null value might equal it
   */
  record MatchKey(Object key, boolean inexact, boolean foreign, boolean unknown) {}

  /** The lookup for the match value {@code c} (a string, integer or boolean from the filter) in a postings index. */
  static MatchKey matchKey(FieldSchema schema, JsonNode c) {
    return switch (schema) {
      case KEYWORD -> c.isTextual() ? new MatchKey(c.textValue(), false, false, false) : foreignOnly();
      case BOOL -> c.isBoolean() ? new MatchKey(c.booleanValue(), false, false, false) : foreignOnly();
      case UUID -> {
        if (!c.isTextual()) {
          yield foreignOnly();
        }
        UUID u = canonicalUuid(c.textValue());
        // a non-canonical spelling can only equal a non-canonical (INEXACT) value, as text
        yield u != null ? new MatchKey(u, false, false, false) : new MatchKey(null, true, false, false);
      }
      case INTEGER -> {
        if (!c.isNumber()) {
          yield foreignOnly();
        }
        Object k = integerKey(c);
        if (k == INEXACT) {
          // a big integer can equal only an INEXACT value; a float beyond 2^53 may equal indexed longs as a double
          yield c.isIntegralNumber() ? new MatchKey(null, true, false, false) : new MatchKey(null, true, true, true);
        }
        long n = (Long) k;
        // from 2^53 on, a float (INEXACT here) can equal the integer as a double
        yield new MatchKey(n, Math.abs(n) >= EXACT_DOUBLE_LIMIT, false, false);
      }
      case FLOAT, DATETIME, TEXT -> new MatchKey(null, true, true, true);
    };
  }

  private static MatchKey foreignOnly() {
    return new MatchKey(null, false, true, false);
  }
}
