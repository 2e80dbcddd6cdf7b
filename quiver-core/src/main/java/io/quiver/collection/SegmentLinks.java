package io.quiver.collection;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.PayloadLinks;
import io.quiver.payload.FieldSchema;
import io.quiver.payload.PayloadIndex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Payload links of a sealed segment (Qdrant's {@code payload_m}): which value groups get links at seal time, what
 * the links are drawn from, and which groups a filtered walk follows.
 */
final class SegmentLinks {
  private SegmentLinks() {}

  /**
   * Largest share of the segment's points a walk follows payload links for (for a union of values, their groups'
   * sizes added up). Past it ACORN's two hops find
   * accepted points almost everywhere, and the links cost recall: a filter on a 47% value away from the query
   * (FilteredSearchTest, seed 5C791AB950ECA597) got recall 0.88 with links and 0.99 without. Links help at 5% and
   * 10% (tenants, labels: docs/benchmarks.md); nothing was measured between 10% and 47%.
   */
  static final double MAX_LINKED_FRACTION = 0.25;

  /** Most groups one walk follows for a {@code match any}: the largest listed values' groups, when more are linked. */
  static final int MAX_UNION_GROUPS = 16;

  /** The payload links {@code SealedSegment} writes, or null when the field's {@code payload_m} is 0. */
  static PayloadLinks build(String field, HnswIndex graph,
      PayloadIndex payloadIndex, int count, CollectionConfig config) {
    int payloadM = config.vector(field).hnsw().payloadM();
    if (payloadM == 0) {
      return null;
    }
    PlannerConfig planner = config.planner();
    int exactMax = (int) Math.min(Integer.MAX_VALUE, Math.max(planner.exactMaxMatches(),
        (long) (planner.exactMaxFraction() * count)));
    int acornMax = (int) (Math.min(planner.acornMaxSelectivity(), MAX_LINKED_FRACTION) * count);
    List<PayloadLinks.GroupSpec> specs = new ArrayList<>();
    for (var schema : config.payloadSchema().entrySet()) {
      for (var group : payloadIndex.valueGroups(schema.getKey(), exactMax, acornMax).entrySet()) {
        int[] members = group.getValue().stream().filter(o -> o < count && graph.contains(o)).toArray();
        if (members.length > exactMax) {
          specs.add(new PayloadLinks.GroupSpec(
              new PayloadLinks.ValueKey(schema.getKey(), group.getKey()), members));
        }
      }
    }
    return PayloadLinks.build(graph, payloadM, specs, sourceFields(config));
  }

  /**
   * What links are drawn from, ascending: {@code name:type} of every keyword or integer field of the payload schema
   * (the only types with value groups), so adding a float index rebuilds nothing and retyping a field does.
   */
  static List<String> sourceFields(CollectionConfig config) {
    return config.payloadSchema().entrySet().stream()
        .filter(e -> e.getValue() == FieldSchema.KEYWORD
            || e.getValue() == FieldSchema.INTEGER)
        .map(e -> e.getKey() + ":" + e.getValue().name().toLowerCase(Locale.ROOT)).sorted().toList();
  }

  /**
   * The linked groups a walk for {@code filter} follows besides the main graph, or null: the groups of the values a
   * top-level must match (any) names, or of the values the top-level should matches name together; the smallest
   * such union (tenant fields first) of at most {@link #MAX_LINKED_FRACTION} of the segment's {@code ordinals}.
   */
  static PayloadLinks.Group[] forFilter(PayloadLinks links, Filter filter, Set<String> tenantFields, int ordinals) {
    if (links == null || links.groupCount() == 0 || filter == null) {
      return null;
    }
    // a point passes only if it meets every must condition, and one of the should conditions when there are any:
    // the accepted points then lie among the points of the values a must match (any) names, or of the values the
    // should matches name together, so those values' links reach them. Each choice is only extra edges for the walk;
    // the filter still decides which points are accepted.
    List<List<Condition>> choices = new ArrayList<>();
    for (Condition c : filter.must()) {
      choices.add(List.of(c));
    }
    if (!filter.should().isEmpty()) {
      choices.add(filter.should());
    }
    PayloadLinks.Group[] best = null;
    long bestSize = 0;
    boolean bestIsTenant = false;
    for (List<Condition> union : choices) {
      List<PayloadLinks.Group> groups = new ArrayList<>();
      boolean tenant = true;
      for (Condition c : union) {
        if (c instanceof Condition.Match match) {
          addGroup(links, match.key(), match.value(), groups);
          tenant &= tenantFields.contains(match.key());
        } else if (c instanceof Condition.MatchAny any) {
          any.values().forEach(v -> addGroup(links, any.key(), v, groups));
          tenant &= tenantFields.contains(any.key());
        } else {
          groups.clear(); // a should condition of another kind accepts points outside every group: no links
          break;
        }
      }
      if (groups.isEmpty()) {
        continue;
      }
      long size = 0;
      for (var g : groups) {
        size += g.size();
      }
      if (size > MAX_LINKED_FRACTION * ordinals) { // as at build: groups count deleted members too
        continue;
      }
      if (best == null || (tenant && !bestIsTenant) || (tenant == bestIsTenant && size < bestSize)) {
        // a large union is cut to its largest groups: the others' points are reached through the main graph
        groups.sort(Comparator.comparingInt(PayloadLinks.Group::size).reversed());
        best = groups.subList(0, Math.min(MAX_UNION_GROUPS, groups.size()))
            .toArray(new PayloadLinks.Group[0]);
        bestSize = size;
        bestIsTenant = tenant;
      }
    }
    return best;
  }

  /**
   * Adds the linked group of {@code key}'s {@code value} to {@code groups} unless it is there already. Values without
   * links (too few points, or none here) add nothing: their points are reached through the main graph as without
   * payload links.
   */
  private static void addGroup(PayloadLinks links, String key,
      JsonNode v, List<PayloadLinks.Group> groups) {
    Object value = linkValue(v);
    PayloadLinks.Group g = value == null ? null : links.group(key, value);
    if (g != null && !groups.contains(g)) {
      groups.add(g);
    }
  }

  /** The key a payload-link group of a match value has: the string, or the integer as a Long; else null. */
  private static Object linkValue(JsonNode v) {
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.longValue();
    }
    return null;
  }
}
