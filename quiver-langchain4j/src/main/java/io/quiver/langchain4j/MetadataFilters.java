package io.quiver.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.langchain4j.store.embedding.filter.comparison.ContainsString;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;
import io.quiver.collection.CollectionConfig;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Translates LangChain4j's metadata {@link dev.langchain4j.store.embedding.filter.Filter} into a Quiver
 * {@link Filter} with the same meaning on payloads written by {@link SegmentPayloads}, or throws
 * {@link UnsupportedOperationException} naming the construct it cannot translate exactly (never drops a condition).
 *
 * <ul>
 *   <li>{@code isEqualTo}: strings and UUIDs as keyword matches, integers as integer matches, floats and doubles as
 *       a range [v, v]; a missing key does not match.
 *   <li>{@code isNotEqualTo}, {@code isNotIn}, {@code not}: {@code must_not} of the positive condition, so a missing
 *       key matches, as in LangChain4j.
 *   <li>{@code isGreaterThan(OrEqualTo)}, {@code isLessThan(OrEqualTo)}: numeric ranges (compared as doubles, as in
 *       Qdrant); string and UUID bounds are refused: Quiver has no string ordering.
 *   <li>{@code isIn}: {@code match.any} of strings, UUIDs and integers; with a float or double value, one condition
 *       per value under {@code should}.
 *   <li>{@code containsString}: Quiver's {@code match.text}, a case-sensitive substring test on a key without a
 *       full-text index; refused on a key with one (there it would compare tokens).
 *   <li>{@code and}, {@code or}: {@code must} and {@code should} of the translated operands.
 * </ul>
 *
 * Keys name top-level metadata entries: a key with '.', '[' or ']' is refused (Quiver reads those as paths), and so
 * is the key holding the segment text.
 */
final class MetadataFilters {
  /** Doubles represent every integer up to this magnitude exactly. */
  private static final long EXACT_DOUBLE_INTEGERS = 1L << 53;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String textKey;
  private final CollectionConfig config;

  /** A translator for a collection with {@code config}, whose segments keep their text under {@code textKey}. */
  MetadataFilters(String textKey, CollectionConfig config) {
    this.textKey = textKey;
    this.config = config;
  }

  /** The Quiver filter of {@code filter}; null for null. */
  Filter toQuiver(dev.langchain4j.store.embedding.filter.Filter filter) {
    if (filter == null) {
      return null;
    }
    Condition c = condition(filter);
    return c instanceof Filter f ? f : Filter.must(c);
  }

  private Condition condition(dev.langchain4j.store.embedding.filter.Filter filter) {
    return switch (filter) {
      case IsEqualTo f -> equal(key(f.key()), f.comparisonValue(), "isEqualTo");
      case IsNotEqualTo f -> Filter.mustNot(equal(key(f.key()), f.comparisonValue(), "isNotEqualTo"));
      case IsGreaterThan f -> range(key(f.key()), f.comparisonValue(), "isGreaterThan");
      case IsGreaterThanOrEqualTo f -> range(key(f.key()), f.comparisonValue(), "isGreaterThanOrEqualTo");
      case IsLessThan f -> range(key(f.key()), f.comparisonValue(), "isLessThan");
      case IsLessThanOrEqualTo f -> range(key(f.key()), f.comparisonValue(), "isLessThanOrEqualTo");
      case IsIn f -> in(key(f.key()), f.comparisonValues(), "isIn");
      case IsNotIn f -> Filter.mustNot(in(key(f.key()), f.comparisonValues(), "isNotIn"));
      case ContainsString f -> contains(key(f.key()), f.comparisonValue());
      case And f -> Filter.must(condition(f.left()), condition(f.right()));
      case Or f -> Filter.should(condition(f.left()), condition(f.right()));
      case Not f -> Filter.mustNot(condition(f.expression()));
      default -> throw new UnsupportedOperationException("LangChain4j filter " + filter.getClass().getName()
          + " (" + filter + ") has no Quiver translation");
    };
  }

  private String key(String key) {
    if (key.equals(textKey)) {
      throw new UnsupportedOperationException("filter key '" + key + "' is where this store keeps the segment text,"
          + " not a metadata key");
    }
    if (key.isEmpty() || key.contains(".") || key.contains("[") || key.contains("]")) {
      throw new UnsupportedOperationException("filter key '" + key + "': Quiver reads '.', '[' and ']' in a key as"
          + " a payload path, so a metadata key containing them cannot be filtered on");
    }
    return key;
  }

  private static Condition equal(String key, Object value, String op) {
    return switch (value) {
      case String s -> new Condition.Match(key, NODES.textNode(s));
      case UUID u -> new Condition.Match(key, NODES.textNode(u.toString()));
      case Integer i -> new Condition.Match(key, NODES.numberNode((long) i));
      case Long l -> new Condition.Match(key, NODES.numberNode(l));
      case Float f -> point(key, f, op);
      case Double d -> point(key, d, op);
      case null -> throw new UnsupportedOperationException(op + " on key '" + key + "' with a null value");
      default -> throw unsupportedValue(op, key, value);
    };
  }

  /** Equality with a fractional number: the range [v, v] (a match condition compares integers and strings). */
  private static Condition point(String key, double v, String op) {
    double d = finite(op, key, v);
    return new Condition.Range(key, null, d, null, d);
  }

  private static Condition range(String key, Object value, String op) {
    double bound = switch (value) {
      case Integer i -> i;
      case Long l -> exactLong(op, key, l);
      case Float f -> finite(op, key, f);
      case Double d -> finite(op, key, d);
      case String s -> throw new UnsupportedOperationException(op + "(\"" + s + "\") on key '" + key
          + "': Quiver's range conditions compare numbers only, not strings");
      case null -> throw new UnsupportedOperationException(op + " on key '" + key + "' with a null value");
      default -> throw unsupportedValue(op, key, value);
    };
    return switch (op) {
      case "isGreaterThan" -> new Condition.Range(key, bound, null, null, null);
      case "isGreaterThanOrEqualTo" -> new Condition.Range(key, null, bound, null, null);
      case "isLessThan" -> new Condition.Range(key, null, null, bound, null);
      case "isLessThanOrEqualTo" -> new Condition.Range(key, null, null, null, bound);
      default -> throw new IllegalStateException(op);
    };
  }

  private static Condition in(String key, Collection<?> values, String op) {
    if (values == null || values.isEmpty()) {
      throw new UnsupportedOperationException(op + " on key '" + key + "' without values");
    }
    List<JsonNode> scalars = new ArrayList<>();
    boolean fractional = false;
    for (Object v : values) {
      switch (v) {
        case String s -> scalars.add(NODES.textNode(s));
        case UUID u -> scalars.add(NODES.textNode(u.toString()));
        case Integer i -> scalars.add(NODES.numberNode((long) i));
        case Long l -> scalars.add(NODES.numberNode(l));
        case Float f -> fractional = true;
        case Double d -> fractional = true;
        case null -> throw new UnsupportedOperationException(op + " on key '" + key + "' with a null value");
        default -> throw unsupportedValue(op, key, v);
      }
    }
    if (!fractional) {
      return new Condition.MatchAny(key, scalars);
    }
    List<Condition> any = new ArrayList<>(values.size());
    for (Object v : values) {
      any.add(equal(key, v, op));
    }
    return new Filter(List.of(), any, List.of(), null);
  }

  private Condition contains(String key, String text) {
    if (config.textIndex(key) != null) {
      throw new UnsupportedOperationException("containsString on key '" + key + "': the key has a full-text index,"
          + " where Quiver's match.text compares tokens, not substrings");
    }
    if (text == null) {
      throw new UnsupportedOperationException("containsString on key '" + key + "' with a null value");
    }
    return new Condition.TextMatch(key, Condition.TextMatch.Kind.TEXT, text);
  }

  private static double finite(String op, String key, double v) {
    if (!Double.isFinite(v)) {
      throw new UnsupportedOperationException(op + "(" + v + ") on key '" + key + "': not a finite number");
    }
    return v;
  }

  private static double exactLong(String op, String key, long v) {
    if (Math.abs(v) > EXACT_DOUBLE_INTEGERS && (long) (double) v != v) {
      throw new UnsupportedOperationException(op + "(" + v + "L) on key '" + key + "': ranges compare doubles, which"
          + " cannot hold this bound exactly");
    }
    return v;
  }

  private static UnsupportedOperationException unsupportedValue(String op, String key, Object value) {
    return new UnsupportedOperationException(op + " on key '" + key + "' with a " + value.getClass().getName()
        + " value (" + value + "): only strings, UUIDs, integers, longs, floats and doubles translate");
  }
}
