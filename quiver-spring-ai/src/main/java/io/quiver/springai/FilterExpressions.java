package io.quiver.springai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.filter.Filter.ExpressionType;
import org.springframework.ai.vectorstore.filter.Filter.Group;
import org.springframework.ai.vectorstore.filter.Filter.Key;
import org.springframework.ai.vectorstore.filter.Filter.Operand;
import org.springframework.ai.vectorstore.filter.Filter.Value;

/**
 * Translates Spring AI filter expressions (from {@code FilterExpressionBuilder} or the text parser) into a Quiver
 * {@link Filter} with the same meaning on payloads written by {@link DocumentPayloads}, or throws
 * {@link UnsupportedOperationException} naming the construct it cannot translate exactly (never drops a condition).
 *
 * <ul>
 *   <li>{@code ==}: strings, UUIDs and booleans as keyword/bool matches, integers as integer matches (equal to a
 *       double of the same value, as Spring AI compares numbers), floats and doubles as the range [v, v]; a missing
 *       key does not match.
 *   <li>{@code !=}, {@code nin}, {@code NOT}: {@code must_not} of the positive condition, so a missing key matches.
 *   <li>{@code <}, {@code <=}, {@code >}, {@code >=}: numeric ranges (compared as doubles, as in Qdrant); a missing key
 *       does not match; string bounds are refused (Quiver has no string ordering).
 *   <li>{@code in}: {@code match.any} of strings, integers and booleans; with a fraction, one condition per value
 *       under {@code should}; an empty list matches nothing.
 *   <li>{@code AND}, {@code OR} and groups: {@code must} and {@code should} of the translated operands.
 *   <li>{@code IS NULL}, {@code IS NOT NULL}: refused: Quiver's {@code is_empty} also holds for an empty list.
 * </ul>
 *
 * A key may be quoted ({@code "my key"} or {@code 'my key'}); a dotted key is a path into nested metadata maps, as in
 * Spring AI's Qdrant and PgVector stores; keys with '[' or ']' are refused, and so is the key holding the text. A
 * list-valued metadata entry matches when one of its elements does (Qdrant's semantics).
 */
final class FilterExpressions {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Doubles represent every integer up to this magnitude exactly. */
  private static final long EXACT_DOUBLE_INTEGERS = 1L << 53;
  /** A condition no point satisfies: an id filter with no ids. */
  private static final Condition NOTHING = new Condition.HasId(Set.of());

  private final String contentKey;

  FilterExpressions(String contentKey) {
    this.contentKey = contentKey;
  }

  /** The Quiver filter of {@code expression}; null for null. */
  Filter toQuiver(Expression expression) {
    if (expression == null) {
      return null;
    }
    Condition c = condition(expression);
    return c instanceof Filter f ? f : Filter.must(c);
  }

  private Condition operand(Operand operand, Expression in) {
    return switch (operand) {
      case Expression e -> condition(e);
      case Group g -> condition(g.content());
      case null -> throw new UnsupportedOperationException("filter expression " + in + " lacks an operand");
      default -> throw new UnsupportedOperationException("filter expression " + in + ": " + operand
          + " is not a condition");
    };
  }

  private Condition condition(Expression e) {
    ExpressionType type = e.type();
    return switch (type) {
      case AND -> Filter.must(operand(e.left(), e), operand(e.right(), e));
      case OR -> Filter.should(operand(e.left(), e), operand(e.right(), e));
      case NOT -> Filter.mustNot(operand(e.left(), e));
      case EQ -> equal(key(e), value(e), e);
      case NE -> Filter.mustNot(equal(key(e), value(e), e));
      case GT, GTE, LT, LTE -> range(type, key(e), value(e), e);
      case IN -> in(key(e), value(e), e);
      case NIN -> Filter.mustNot(in(key(e), value(e), e));
      case ISNULL, ISNOTNULL -> throw new UnsupportedOperationException("filter expression " + e + ": " + type
          + " has no exact Quiver translation (is_empty also holds for an empty list)");
    };
  }

  private String key(Expression e) {
    if (!(e.left() instanceof Key k)) {
      throw new UnsupportedOperationException("filter expression " + e + ": " + e.type() + " needs a key on the left");
    }
    String key = unquote(k.key());
    if (key.equals(contentKey)) {
      throw new UnsupportedOperationException("filter key '" + key + "' is where this store keeps the document text,"
          + " not a metadata key");
    }
    if (key.isBlank() || key.contains("[") || key.contains("]") || key.startsWith(".") || key.endsWith(".")
        || key.contains("..")) {
      throw new UnsupportedOperationException("filter key '" + key + "': Quiver reads '.', '[' and ']' in a key as a"
          + " payload path, and this key is not a well-formed path");
    }
    return key;
  }

  private static String unquote(String key) {
    if (key.length() >= 2) {
      char first = key.charAt(0);
      if ((first == '"' || first == '\'') && key.charAt(key.length() - 1) == first) {
        return key.substring(1, key.length() - 1);
      }
    }
    return key;
  }

  private static Object value(Expression e) {
    if (!(e.right() instanceof Value v)) {
      throw new UnsupportedOperationException("filter expression " + e + ": " + e.type()
          + " needs a value on the right");
    }
    return v.value();
  }

  private static Condition equal(String key, Object value, Expression e) {
    return switch (value) {
      case String s -> new Condition.Match(key, NODES.textNode(s));
      case UUID u -> new Condition.Match(key, NODES.textNode(u.toString()));
      case Boolean b -> new Condition.Match(key, NODES.booleanNode(b));
      case Integer i -> new Condition.Match(key, NODES.numberNode((long) i));
      case Long l -> new Condition.Match(key, NODES.numberNode(l));
      case Short s -> new Condition.Match(key, NODES.numberNode((long) s));
      case Byte b -> new Condition.Match(key, NODES.numberNode((long) b));
      case Float f -> point(key, f, e);
      case Double d -> point(key, d, e);
      case null -> throw new UnsupportedOperationException("filter expression " + e + ": comparing with null");
      default -> throw unsupportedValue(e, value);
    };
  }

  /** Equality with a fractional number: the range [v, v] (a match condition compares integers and strings). */
  private static Condition point(String key, double v, Expression e) {
    double d = finite(v, e);
    return new Condition.Range(key, null, d, null, d);
  }

  private static Condition range(ExpressionType type, String key, Object value, Expression e) {
    double bound = switch (value) {
      case Integer i -> i;
      case Short s -> s;
      case Byte b -> b;
      case Long l -> {
        if (Math.abs(l) > EXACT_DOUBLE_INTEGERS && (long) (double) l != l) {
          throw new UnsupportedOperationException("filter expression " + e + ": ranges compare doubles, which cannot"
              + " hold the bound " + l + " exactly");
        }
        yield l;
      }
      case Float f -> finite(f, e);
      case Double d -> finite(d, e);
      case String s -> throw new UnsupportedOperationException("filter expression " + e + ": " + type + " with the"
          + " string '" + s + "': Quiver's range conditions compare numbers only, not strings");
      case null -> throw new UnsupportedOperationException("filter expression " + e + ": comparing with null");
      default -> throw unsupportedValue(e, value);
    };
    return switch (type) {
      case GT -> new Condition.Range(key, bound, null, null, null);
      case GTE -> new Condition.Range(key, null, bound, null, null);
      case LT -> new Condition.Range(key, null, null, bound, null);
      case LTE -> new Condition.Range(key, null, null, null, bound);
      default -> throw new IllegalStateException(type.toString());
    };
  }

  private static Condition in(String key, Object value, Expression e) {
    if (!(value instanceof List<?> values)) {
      throw new UnsupportedOperationException("filter expression " + e + ": " + e.type() + " needs a list of values");
    }
    if (values.isEmpty()) {
      return NOTHING;
    }
    List<JsonNode> scalars = new ArrayList<>(values.size());
    boolean fractional = false;
    for (Object v : values) {
      switch (v) {
        case String s -> scalars.add(NODES.textNode(s));
        case UUID u -> scalars.add(NODES.textNode(u.toString()));
        case Boolean b -> scalars.add(NODES.booleanNode(b));
        case Integer i -> scalars.add(NODES.numberNode((long) i));
        case Long l -> scalars.add(NODES.numberNode(l));
        case Short s -> scalars.add(NODES.numberNode((long) s));
        case Byte b -> scalars.add(NODES.numberNode((long) b));
        case Float f -> fractional = true;
        case Double d -> fractional = true;
        case null -> throw new UnsupportedOperationException("filter expression " + e + ": a null in the list");
        default -> throw unsupportedValue(e, v);
      }
    }
    if (!fractional) {
      return new Condition.MatchAny(key, scalars);
    }
    List<Condition> any = new ArrayList<>(values.size());
    for (Object v : values) {
      any.add(equal(key, v, e));
    }
    return new Filter(List.of(), any, List.of(), null);
  }

  private static double finite(double v, Expression e) {
    if (!Double.isFinite(v)) {
      throw new UnsupportedOperationException("filter expression " + e + ": " + v + " is not a finite number");
    }
    return v;
  }

  private static UnsupportedOperationException unsupportedValue(Expression e, Object value) {
    return new UnsupportedOperationException("filter expression " + e + ": a " + value.getClass().getName()
        + " value (" + value + "); only strings, UUIDs, booleans, integers, floats and doubles translate");
  }
}
