package io.quiver.payload;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The type of a payload field index, named as in Qdrant's {@code field_schema}. A value of another type at an
 * indexed field is not indexed (it is counted as "foreign" and conditions that could match it fall back to a check
 * of the point's payload), so a wrong-typed value never breaks indexing or changes a result.
 *
 * <ul>
 *   <li>{@code keyword}: strings; answers {@code match} value / any / except on strings.
 *   <li>{@code integer}: integral numbers in the signed 64-bit range, and whole floats below 2^53 in magnitude
 *       (3.0 equals 3 in a match); answers {@code match} on integers and numeric {@code range}.
 *   <li>{@code float}: every number except NaN; answers numeric {@code range}.
 *   <li>{@code bool}: booleans; answers {@code match} on booleans.
 *   <li>{@code datetime}: RFC 3339 strings (and the looser forms a datetime range accepts), stored as epoch
 *       microseconds; answers datetime {@code range}. Strings with sub-microsecond digits are left to the per-point
 *       check.
 *   <li>{@code uuid}: UUID strings in canonical lower-case form, stored as 128 bits; answers {@code match} on
 *       strings. Other spellings of a UUID compare as text, so they are left to the per-point check.
 *   <li>{@code text}: strings, split into tokens by the field's {@link io.quiver.text.TextIndexParams}; answers the
 *       full-text {@code match} kinds text, text_any and phrase.
 * </ul>
 *
 * <p>Every indexed field also answers {@code is_empty}, {@code is_null} and {@code values_count} exactly.
 */
public enum FieldSchema {
  KEYWORD(0),
  INTEGER(1),
  FLOAT(2),
  BOOL(3),
  DATETIME(4),
  UUID(5),
  TEXT(6);

  /** The byte that stands for the schema in the serialized index. */
  final int code;

  FieldSchema(int code) {
    this.code = code;
  }

  /**
   * Qdrant's name: {@code keyword}, {@code integer}, {@code float}, {@code bool}, {@code datetime}, {@code uuid},
   * {@code text}.
   */
  public String qdrantName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The schema with Qdrant's name {@code name}. */
  public static FieldSchema parse(String name) {
    for (FieldSchema s : values()) {
      if (s.qdrantName().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown field schema '" + name + "'; expected one of "
        + Arrays.stream(values()).map(FieldSchema::qdrantName).collect(Collectors.joining(", ")));
  }

  static FieldSchema ofCode(int code) {
    for (FieldSchema s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    return null;
  }

  /** Whether the index keeps posting lists for equality matches. */
  boolean hasPostings() {
    return this == KEYWORD || this == INTEGER || this == BOOL || this == UUID;
  }

  /** Whether the index keeps a sorted structure for ranges. */
  boolean hasRanges() {
    return this == INTEGER || this == FLOAT || this == DATETIME;
  }
}
