package io.quiver.payload;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.filter.PayloadPath;
import io.quiver.text.TextAnalyzer;
import io.quiver.text.TextIndexParams;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * The index of one payload field in one segment. Every field keeps, per ordinal, which kinds of values it holds at
 * the field's path (values as {@link PayloadPath#values} sees them: arrays count as their elements); a schema with
 * equality keys adds {@link Postings}, one with ranges a {@link RangeStore} (integer has both), a text field
 * {@link TextPostings}. Not thread-safe: {@link PayloadIndex} guards it.
 */
final class FieldIndex {
  final String key;
  final FieldSchema schema;
  /** Ordinals with at least one value that has a key in this index. */
  final RoaringBitmap indexed;
  /** Ordinals with at least one non-null value ({@code is_empty} is the complement). */
  final RoaringBitmap nonNull;
  /** Ordinals with a null among their values ({@code {"a": null}} or {@code {"a": [1, null]}}). */
  final RoaringBitmap nullValue;
  /** Ordinals for which {@link PayloadPath#hasExplicitNull} holds: exactly {@code is_null}. */
  final RoaringBitmap explicitNull;
  /** Ordinals with a value of another kind than the schema's ({@link ValueKeys#FOREIGN}). */
  final RoaringBitmap foreign;
  /** Ordinals with a value of the schema's kind that has no exact key ({@link ValueKeys#INEXACT}). */
  final RoaringBitmap inexact;
  /** Number of non-null values (duplicates counted, as {@code values_count} does) to the ordinals with it; n >= 1. */
  final TreeMap<Integer, RoaringBitmap> counts;
  final Postings postings;
  final RangeStore ranges;
  /** The inverted index of a {@link FieldSchema#TEXT} field, else null. */
  final TextPostings text;

  FieldIndex(String key, FieldSchema schema) {
    this(key, schema, null);
  }

  /** An empty index; {@code textParams} configures a text field (null: Qdrant's defaults) and is ignored otherwise. */
  FieldIndex(String key, FieldSchema schema, TextIndexParams textParams) {
    this(key, schema, new RoaringBitmap(), new RoaringBitmap(), new RoaringBitmap(), new RoaringBitmap(),
        new RoaringBitmap(), new RoaringBitmap(), new TreeMap<>(), schema.hasPostings() ? new Postings() : null,
        schema.hasRanges() ? new RangeStore() : null, schema != FieldSchema.TEXT ? null
            : new TextPostings(new TextAnalyzer(textParams == null ? TextIndexParams.DEFAULT : textParams)));
  }

  FieldIndex(String key, FieldSchema schema, RoaringBitmap indexed, RoaringBitmap nonNull, RoaringBitmap nullValue,
      RoaringBitmap explicitNull, RoaringBitmap foreign, RoaringBitmap inexact, TreeMap<Integer, RoaringBitmap> counts,
      Postings postings, RangeStore ranges, TextPostings text) {
    this.key = key;
    this.schema = schema;
    this.indexed = indexed;
    this.nonNull = nonNull;
    this.nullValue = nullValue;
    this.explicitNull = explicitNull;
    this.foreign = foreign;
    this.inexact = inexact;
    this.counts = counts;
    this.postings = postings;
    this.ranges = ranges;
    this.text = text;
  }

  /** The text index's parameters, or null for a field of another schema. */
  TextIndexParams textParams() {
    return text == null ? null : text.analyzer.params();
  }

  void add(int ordinal, JsonNode payload) {
    if (PayloadPath.hasExplicitNull(payload, key)) {
      explicitNull.add(ordinal);
    }
    List<JsonNode> values = PayloadPath.values(payload, key);
    if (text != null) {
      text.add(ordinal, strings(values));
    }
    int n = 0;
    for (JsonNode v : values) {
      if (v.isNull()) {
        nullValue.add(ordinal);
        continue;
      }
      n++;
      Object k = ValueKeys.keyOf(schema, v);
      if (k == ValueKeys.FOREIGN) {
        foreign.add(ordinal);
      } else if (k == ValueKeys.INEXACT) {
        inexact.add(ordinal);
      } else {
        indexed.add(ordinal);
        if (postings != null) {
          postings.add(k, ordinal);
        }
        if (ranges != null) {
          ranges.add((Long) k, ordinal);
        }
      }
    }
    if (n > 0) {
      nonNull.add(ordinal);
      counts.computeIfAbsent(n, c -> new RoaringBitmap()).add(ordinal);
    }
  }

  /** Forgets {@code ordinal}, whose payload was {@code oldPayload} when it was added. */
  void remove(int ordinal, JsonNode oldPayload) {
    List<JsonNode> values = PayloadPath.values(oldPayload, key);
    if (text != null) {
      text.remove(ordinal, strings(values));
    }
    long[] rangeKeys = new long[values.size()];
    int nKeys = 0;
    for (JsonNode v : values) {
      if (v.isNull()) {
        continue;
      }
      Object k = ValueKeys.keyOf(schema, v);
      if (k != ValueKeys.FOREIGN && k != ValueKeys.INEXACT) {
        if (postings != null) {
          postings.remove(k, ordinal);
        }
        if (ranges != null) {
          rangeKeys[nKeys++] = (Long) k;
        }
      }
    }
    if (ranges != null) {
      ranges.removeOrdinal(ordinal, rangeKeys, nKeys);
    }
    for (RoaringBitmap b : List.of(indexed, nonNull, nullValue, explicitNull, foreign, inexact)) {
      b.remove(ordinal);
    }
    // the count bucket is looked up by ordinal, so a stale oldPayload cannot leave the ordinal behind here
    counts.values().removeIf(b -> b.checkedRemove(ordinal) && b.isEmpty());
  }

  private static List<String> strings(List<JsonNode> values) {
    List<String> out = new ArrayList<>(values.size());
    for (JsonNode v : values) {
      if (v.isTextual()) {
        out.add(v.textValue());
      }
    }
    return out;
  }

  /** Ordinals with any value at the path, null included (the ones {@code match except} does not pass for free). */
  RoaringBitmap present() {
    return RoaringBitmap.or(nonNull, nullValue);
  }

  /** Folds range deltas and compresses runs; for a segment about to be sealed. */
  void compact() {
    if (ranges != null) {
      ranges.merge();
    }
    if (postings != null) {
      postings.runOptimize();
    }
    if (text != null) {
      text.compact();
    }
    for (RoaringBitmap b : List.of(indexed, nonNull, nullValue, explicitNull, foreign, inexact)) {
      b.runOptimize();
    }
    counts.values().forEach(RoaringBitmap::runOptimize);
  }
}
