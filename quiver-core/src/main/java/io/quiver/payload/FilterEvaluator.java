package io.quiver.payload;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.PointId;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.LongPredicate;
import java.util.function.ToIntFunction;
import org.roaringbitmap.RoaringBitmap;

/**
 * Bounds a filter's matches with the indexes alone, in three-valued logic: for every condition it computes
 * {@code sure} (ordinals where it certainly holds) and {@code possible} (where it may hold), both within the
 * universe of live, indexed ordinals. Indexed conditions are exact ({@code sure == possible}); anything else gets
 * {@code sure = {}} and {@code possible} = the ordinals where it could hold at all (those with a non-null value at
 * an indexed key, else the whole universe). Then AND intersects both sets, OR unites them, NOT swaps and
 * complements them ({@code sure' = U - possible}, {@code possible' = U - sure}), and min_should counts. The ordinals
 * in {@code possible - sure} are left for a per-point check of the whole filter. Runs under the index's read lock
 * and never modifies a bitmap it did not create.
 */
final class FilterEvaluator {
  /** Where a condition certainly holds and where it may hold; {@code sure} is a subset of {@code possible}. */
  record Bounds(RoaringBitmap sure, RoaringBitmap possible) {}

  private final Map<String, FieldIndex> fields;
  private final RoaringBitmap universe;
  private final IntFunction<PointId> ids;
  private final ToIntFunction<PointId> ordinalOf;

  FilterEvaluator(Map<String, FieldIndex> fields, RoaringBitmap universe, IntFunction<PointId> ids,
      ToIntFunction<PointId> ordinalOf) {
    this.fields = fields;
    this.universe = universe;
    this.ids = ids;
    this.ordinalOf = ordinalOf;
  }

  Bounds filter(Filter f) {
    RoaringBitmap sure = universe;
    RoaringBitmap possible = universe;
    for (Condition c : f.must()) {
      Bounds b = condition(c);
      sure = RoaringBitmap.and(sure, b.sure());
      possible = RoaringBitmap.and(possible, b.possible());
      if (possible.isEmpty()) {
        return none();
      }
    }
    for (Condition c : f.mustNot()) {
      Bounds b = condition(c);
      sure = RoaringBitmap.andNot(sure, b.possible());
      possible = RoaringBitmap.andNot(possible, b.sure());
      if (possible.isEmpty()) {
        return none();
      }
    }
    if (!f.should().isEmpty()) {
      List<RoaringBitmap> sures = new ArrayList<>();
      List<RoaringBitmap> possibles = new ArrayList<>();
      for (Condition c : f.should()) {
        Bounds b = condition(c);
        sures.add(b.sure());
        possibles.add(b.possible());
      }
      sure = RoaringBitmap.and(sure, RoaringBitmap.or(sures.iterator()));
      possible = RoaringBitmap.and(possible, RoaringBitmap.or(possibles.iterator()));
    }
    if (f.minShould() != null) {
      Bounds b = atLeast(f.minShould().minCount(), f.minShould().conditions());
      sure = RoaringBitmap.and(sure, b.sure());
      possible = RoaringBitmap.and(possible, b.possible());
    }
    return new Bounds(sure, possible);
  }

  /** Ordinals where at least {@code k} of {@code conditions} hold (counted with repeats, as Filter.test does). */
  private Bounds atLeast(int k, List<Condition> conditions) {
    if (k == 0) {
      return new Bounds(universe, universe);
    }
    if (k > conditions.size()) {
      return none();
    }
    // atLeastSure[j] = ordinals with >= j sure hits among the conditions seen so far (a counting network)
    RoaringBitmap[] atLeastSure = new RoaringBitmap[k + 1];
    RoaringBitmap[] atLeastPossible = new RoaringBitmap[k + 1];
    Arrays.fill(atLeastSure, new RoaringBitmap());
    Arrays.fill(atLeastPossible, new RoaringBitmap());
    atLeastSure[0] = universe;
    atLeastPossible[0] = universe;
    for (int i = 0; i < conditions.size(); i++) {
      Bounds b = condition(conditions.get(i));
      for (int j = Math.min(k, i + 1); j >= 1; j--) {
        atLeastSure[j] = RoaringBitmap.or(atLeastSure[j], RoaringBitmap.and(atLeastSure[j - 1], b.sure()));
        atLeastPossible[j] = RoaringBitmap.or(atLeastPossible[j],
            RoaringBitmap.and(atLeastPossible[j - 1], b.possible()));
      }
    }
    return new Bounds(atLeastSure[k], atLeastPossible[k]);
  }

  private Bounds condition(Condition c) {
    return switch (c) {
      case Filter f -> filter(f);
      case Condition.HasId h -> hasId(h.ids());
      case Condition.Match m -> match(m.key(), List.of(m.value()));
      case Condition.MatchAny m -> match(m.key(), m.values());
      case Condition.MatchExcept m -> except(m.key(), m.values());
      case Condition.Range r -> range(r);
      case Condition.DatetimeRange r -> datetimeRange(r);
      case Condition.ValuesCount v -> valuesCount(v);
      case Condition.IsEmpty e -> {
        FieldIndex f = fields.get(e.key());
        yield f == null ? unknown() : exact(RoaringBitmap.andNot(universe, f.nonNull));
      }
      case Condition.IsNull n -> {
        FieldIndex f = fields.get(n.key());
        yield f == null ? unknown() : exact(RoaringBitmap.and(universe, f.explicitNull));
      }
      case Condition.Nested n -> unknownWhereNonNull(n.key());
      case Condition.GeoRadius g -> unknownWhereNonNull(g.key());
      case Condition.GeoBoundingBox g -> unknownWhereNonNull(g.key());
      case Condition.TextMatch t -> text(t);
    };
  }

  /**
   * A full-text condition: exact from the posting lists on a text field (a phrase without stored word sequences is
   * bounded by the ordinals holding all its tokens); on a field with another index, strings are checked per point
   * with substring semantics.
   */
  private Bounds text(Condition.TextMatch t) {
    FieldIndex f = fields.get(t.key());
    if (f == null) {
      return unknown();
    }
    if (f.text == null) {
      return unknownWhereNonNull(t.key());
    }
    TextPostings.Result r = f.text.match(t.kind(), t.text(), universe);
    return r.exact() ? exact(r.ordinals()) : new Bounds(new RoaringBitmap(), r.ordinals());
  }

  private Bounds hasId(Set<PointId> wanted) {
    if (ordinalOf == null) {
      return unknown();
    }
    RoaringBitmap out = new RoaringBitmap();
    for (PointId id : wanted) {
      int ord = ordinalOf.applyAsInt(id);
      // the id check guards against a lookup that still names an ordinal since reused
      if (ord >= 0 && universe.contains(ord) && id.equals(ids.apply(ord))) {
        out.add(ord);
      }
    }
    return exact(out);
  }

  private Bounds match(String key, List<JsonNode> candidates) {
    FieldIndex f = fields.get(key);
    if (f == null) {
      return unknown();
    }
    if (f.postings == null) {
      return unknownWhereNonNull(key);
    }
    List<RoaringBitmap> sure = new ArrayList<>();
    List<RoaringBitmap> maybe = new ArrayList<>();
    for (JsonNode c : candidates) {
      ValueKeys.MatchKey mk = ValueKeys.matchKey(f.schema, c);
      if (mk.key() != null && f.postings.get(mk.key()) != null) {
        sure.add(f.postings.get(mk.key()));
      }
      addMaybe(f, mk, maybe);
    }
    RoaringBitmap s = RoaringBitmap.and(universe, RoaringBitmap.or(sure.iterator()));
    RoaringBitmap p = RoaringBitmap.or(s, RoaringBitmap.and(universe, RoaringBitmap.or(maybe.iterator())));
    return new Bounds(s, p);
  }

  private static void addMaybe(FieldIndex f, ValueKeys.MatchKey mk, List<RoaringBitmap> maybe) {
    if (mk.unknown()) {
      maybe.add(f.nonNull);
    } else {
      if (mk.inexact()) {
        maybe.add(f.inexact);
      }
      if (mk.foreign()) {
        maybe.add(f.foreign);
      }
    }
  }

  /**
   * {@code match except}: holds when the point has no value at the key, or some value equal to none of the list.
   * Such a witness is a null, a value of another kind than the list's, or an indexed key outside the list; an
   * ordinal whose every key is in the list (its count of listed keys equals its count of distinct keys) has none
   * among its indexed values.
   */
  private Bounds except(String key, List<JsonNode> excluded) {
    FieldIndex f = fields.get(key);
    if (f == null) {
      return unknown();
    }
    if (f.postings == null) {
      return unknown(); // an absent key passes, so even points without values are undecided
    }
    Set<Object> keys = new LinkedHashSet<>();
    boolean inexactMayBeExcluded = false;
    for (JsonNode c : excluded) {
      ValueKeys.MatchKey mk = ValueKeys.matchKey(f.schema, c);
      if (mk.foreign() || mk.unknown()) {
        return unknown(); // the list has values of another kind: FOREIGN values are no longer sure witnesses
      }
      inexactMayBeExcluded |= mk.inexact();
      if (mk.key() != null) {
        keys.add(mk.key());
      }
    }
    RoaringBitmap sure = RoaringBitmap.or(RoaringBitmap.andNot(universe, f.present()), f.nullValue, f.foreign);
    sure.or(RoaringBitmap.andNot(f.indexed, everyKeyListed(f, keys)));
    if (!inexactMayBeExcluded) {
      sure.or(f.inexact);
    }
    sure.and(universe);
    RoaringBitmap possible = inexactMayBeExcluded ? RoaringBitmap.or(sure, RoaringBitmap.and(universe, f.inexact))
        : sure;
    return new Bounds(sure, possible);
  }

  /** Ordinals all of whose distinct keys are in {@code keys}. */
  private static RoaringBitmap everyKeyListed(FieldIndex f, Set<Object> keys) {
    List<RoaringBitmap> lists = new ArrayList<>();
    long total = 0;
    for (Object k : keys) {
      RoaringBitmap b = f.postings.get(k);
      if (b != null) {
        lists.add(b);
        total += b.getCardinality();
      }
    }
    if (lists.size() == 1) {
      RoaringBitmap only = lists.get(0);
      RoaringBitmap out = new RoaringBitmap();
      only.forEach((int o) -> {
        if (f.postings.distinct(o) == 1) {
          out.add(o);
        }
      });
      return out;
    }
    int[] all = new int[Math.toIntExact(total)];
    int n = 0;
    for (RoaringBitmap b : lists) {
      var it = b.getIntIterator();
      while (it.hasNext()) {
        all[n++] = it.next();
      }
    }
    Arrays.sort(all);
    RoaringBitmap out = new RoaringBitmap();
    for (int i = 0; i < n; ) {
      int j = i;
      while (j < n && all[j] == all[i]) {
        j++;
      }
      if (j - i == f.postings.distinct(all[i])) {
        out.add(all[i]);
      }
      i = j;
    }
    return out;
  }

  private Bounds range(Condition.Range r) {
    FieldIndex f = fields.get(r.key());
    if (f == null) {
      return unknown();
    }
    return switch (f.schema) {
      case KEYWORD, BOOL, UUID, DATETIME, TEXT -> maybeOnly(f.foreign); // numbers are foreign to these schemas
      case INTEGER -> {
        RoaringBitmap sure = keyRange(f, Long.MIN_VALUE, Long.MAX_VALUE, k -> aboveLower(r, (double) k),
            k -> belowUpper(r, (double) k));
        yield new Bounds(sure, RoaringBitmap.or(sure, RoaringBitmap.and(universe, f.inexact)));
      }
      case FLOAT -> {
        RoaringBitmap sure = keyRange(f, ValueKeys.FLOAT_KEY_MIN, ValueKeys.FLOAT_KEY_MAX,
            k -> aboveLower(r, ValueKeys.floatOfKey(k)), k -> belowUpper(r, ValueKeys.floatOfKey(k)));
        boolean unbounded = r.gt() == null && r.gte() == null && r.lt() == null && r.lte() == null;
        // NaN (INEXACT here) passes only the range without bounds
        yield unbounded ? new Bounds(sure, RoaringBitmap.or(sure, RoaringBitmap.and(universe, f.inexact)))
            : new Bounds(sure, sure);
      }
    };
  }

  private static boolean aboveLower(Condition.Range r, double x) {
    return (r.gt() == null || x > r.gt()) && (r.gte() == null || x >= r.gte());
  }

  private static boolean belowUpper(Condition.Range r, double x) {
    return (r.lt() == null || x < r.lt()) && (r.lte() == null || x <= r.lte());
  }

  private Bounds datetimeRange(Condition.DatetimeRange r) {
    FieldIndex f = fields.get(r.key());
    if (f == null) {
      return unknown();
    }
    return switch (f.schema) {
      case INTEGER, FLOAT, BOOL -> maybeOnly(f.foreign); // strings are foreign to these schemas
      case KEYWORD, UUID, TEXT -> unknownWhereNonNull(r.key());
      case DATETIME -> {
        RoaringBitmap sure = keyRange(f, -ValueKeys.MICROS_LIMIT, ValueKeys.MICROS_LIMIT, k -> {
          Instant t = ValueKeys.instantOfMicros(k);
          return (r.gt() == null || t.isAfter(r.gt())) && (r.gte() == null || !t.isBefore(r.gte()));
        }, k -> {
          Instant t = ValueKeys.instantOfMicros(k);
          return (r.lt() == null || t.isBefore(r.lt())) && (r.lte() == null || !t.isAfter(r.lte()));
        });
        yield new Bounds(sure, RoaringBitmap.or(sure, RoaringBitmap.and(universe, f.inexact)));
      }
    };
  }

  /**
   * Ordinals of {@code f} whose range key k satisfies both {@code lower} (monotone: false, then true as k grows)
   * and {@code upper} (true, then false), for keys in {@code [min, max]}; the bounds of the key interval are found
   * by binary search over the key space, so any rounding of keys to values (longs to doubles) is respected.
   */
  private RoaringBitmap keyRange(FieldIndex f, long min, long max, LongPredicate lower, LongPredicate upper) {
    if (!lower.test(max) || !upper.test(min)) {
      return new RoaringBitmap();
    }
    long lo = min;
    long hi = max;
    while (lo < hi) { // least k with lower(k)
      long mid = (lo & hi) + ((lo ^ hi) >> 1);
      if (lower.test(mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    long from = lo;
    lo = min;
    hi = max;
    while (lo < hi) { // greatest k with upper(k)
      long mid = (lo & hi) + ((lo ^ hi) >> 1) + ((lo ^ hi) & 1);
      if (upper.test(mid)) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return RoaringBitmap.and(universe, f.ranges.query(from, lo));
  }

  private Bounds valuesCount(Condition.ValuesCount v) {
    FieldIndex f = fields.get(v.key());
    if (f == null) {
      return unknown();
    }
    List<RoaringBitmap> hits = new ArrayList<>();
    if (countInRange(v, 0)) {
      hits.add(RoaringBitmap.andNot(universe, f.nonNull));
    }
    for (Map.Entry<Integer, RoaringBitmap> e : f.counts.entrySet()) {
      if (countInRange(v, e.getKey())) {
        hits.add(e.getValue());
      }
    }
    return exact(RoaringBitmap.and(universe, RoaringBitmap.or(hits.iterator())));
  }

  private static boolean countInRange(Condition.ValuesCount v, int n) {
    return (v.gt() == null || n > v.gt()) && (v.gte() == null || n >= v.gte()) && (v.lt() == null || n < v.lt())
        && (v.lte() == null || n <= v.lte());
  }

  private Bounds exact(RoaringBitmap b) {
    return new Bounds(b, b);
  }

  private Bounds maybeOnly(RoaringBitmap b) {
    return new Bounds(new RoaringBitmap(), RoaringBitmap.and(universe, b));
  }

  private Bounds none() {
    RoaringBitmap empty = new RoaringBitmap();
    return new Bounds(empty, empty);
  }

  private Bounds unknown() {
    return new Bounds(new RoaringBitmap(), universe);
  }

  /** Undecided where the (indexed) key holds a non-null value, false elsewhere: for conditions that need a value. */
  private Bounds unknownWhereNonNull(String key) {
    FieldIndex f = fields.get(key);
    return f == null ? unknown() : maybeOnly(f.nonNull);
  }
}
