package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qdrant.client.grpc.Points.ContextExamplePair;
import io.qdrant.client.grpc.Points.DiscoverPoints;
import io.qdrant.client.grpc.Points.FacetCounts;
import io.qdrant.client.grpc.Points.QueryPointGroups;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RecommendPointGroups;
import io.qdrant.client.grpc.Points.RecommendPoints;
import io.qdrant.client.grpc.Points.SearchMatrixPoints;
import io.qdrant.client.grpc.Points.SearchPointGroups;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.VectorExample;
import io.qdrant.client.grpc.Points.WithLookup;

/**
 * The other read requests (recommend, discover, groups, facet, distance matrix) as the REST API's JSON bodies, built
 * on {@link ReadRequests}' pieces.
 */
final class MoreReadRequests {
  private MoreReadRequests() {}

  static ObjectNode recommend(RecommendPoints r) {
    if (r.hasLookupFrom()) {
      throw Rpc.unimplemented("lookup_from is not supported");
    }
    ObjectNode b = Rpc.body();
    ArrayNode pos = b.putArray("positive");
    r.getPositiveList().forEach(id -> pos.add(Values.id(id)));
    r.getPositiveVectorsList().forEach(v -> pos.add(VectorCodec.json(v)));
    ArrayNode neg = b.putArray("negative");
    r.getNegativeList().forEach(id -> neg.add(Values.id(id)));
    r.getNegativeVectorsList().forEach(v -> neg.add(VectorCodec.json(v)));
    if (r.hasStrategy()) {
      b.put("strategy", Queries.strategy(r.getStrategy()));
    }
    if (r.hasUsing()) {
      b.put("using", r.getUsing());
    }
    if (r.hasFilter()) {
      b.set("filter", Filters.json(r.getFilter()));
    }
    if (r.hasParams()) {
      b.set("params", ReadRequests.params(r.getParams()));
    }
    b.put("limit", r.getLimit());
    if (r.hasOffset()) {
      b.put("offset", r.getOffset());
    }
    if (r.hasScoreThreshold()) {
      b.put("score_threshold", r.getScoreThreshold());
    }
    ReadRequests.payload(b, r.hasWithPayload(), r.getWithPayload());
    ReadRequests.vectors(b, r.hasWithVectors(), r.getWithVectors());
    return b;
  }

  static ObjectNode discover(DiscoverPoints r) {
    if (r.hasLookupFrom()) {
      throw Rpc.unimplemented("lookup_from is not supported");
    }
    ObjectNode b = Rpc.body();
    if (r.hasTarget() && r.getTarget().hasSingle()) {
      b.set("target", example(r.getTarget().getSingle()));
    }
    ArrayNode ctx = b.putArray("context");
    for (ContextExamplePair p : r.getContextList()) {
      ObjectNode pair = ctx.addObject();
      pair.set("positive", example(p.getPositive()));
      pair.set("negative", example(p.getNegative()));
    }
    if (r.hasUsing()) {
      b.put("using", r.getUsing());
    }
    if (r.hasFilter()) {
      b.set("filter", Filters.json(r.getFilter()));
    }
    if (r.hasParams()) {
      b.set("params", ReadRequests.params(r.getParams()));
    }
    b.put("limit", r.getLimit());
    if (r.hasOffset()) {
      b.put("offset", r.getOffset());
    }
    ReadRequests.payload(b, r.hasWithPayload(), r.getWithPayload());
    ReadRequests.vectors(b, r.hasWithVectors(), r.getWithVectors());
    return b;
  }

  private static JsonNode example(VectorExample e) {
    return switch (e.getExampleCase()) {
      case ID -> Values.id(e.getId());
      case VECTOR -> VectorCodec.json(e.getVector());
      case EXAMPLE_NOT_SET -> throw Filters.invalid("an example is empty (needs an id or a vector)");
    };
  }

  static ObjectNode searchGroups(SearchPointGroups r) {
    SearchPoints.Builder s = SearchPoints.newBuilder().addAllVector(r.getVectorList()).setLimit(r.getLimit());
    if (r.hasFilter()) s.setFilter(r.getFilter());
    if (r.hasWithPayload()) s.setWithPayload(r.getWithPayload());
    if (r.hasParams()) s.setParams(r.getParams());
    if (r.hasScoreThreshold()) s.setScoreThreshold(r.getScoreThreshold());
    if (r.hasVectorName()) s.setVectorName(r.getVectorName());
    if (r.hasWithVectors()) s.setWithVectors(r.getWithVectors());
    if (r.hasSparseIndices()) s.setSparseIndices(r.getSparseIndices());
    ObjectNode b = ReadRequests.search(s.build());
    groups(b, r.getGroupBy(), r.getGroupSize(), r.hasWithLookup(), r.getWithLookup());
    return b;
  }

  static ObjectNode queryGroups(QueryPointGroups r) {
    QueryPoints.Builder q = QueryPoints.newBuilder().addAllPrefetch(r.getPrefetchList());
    if (r.hasQuery()) q.setQuery(r.getQuery());
    if (r.hasUsing()) q.setUsing(r.getUsing());
    if (r.hasFilter()) q.setFilter(r.getFilter());
    if (r.hasParams()) q.setParams(r.getParams());
    if (r.hasScoreThreshold()) q.setScoreThreshold(r.getScoreThreshold());
    if (r.hasWithPayload()) q.setWithPayload(r.getWithPayload());
    if (r.hasWithVectors()) q.setWithVectors(r.getWithVectors());
    if (r.hasLookupFrom()) q.setLookupFrom(r.getLookupFrom());
    if (r.hasLimit()) q.setLimit(r.getLimit());
    ObjectNode b = ReadRequests.query(q.build());
    groups(b, r.getGroupBy(), r.hasGroupSize() ? r.getGroupSize() : 0, r.hasWithLookup(), r.getWithLookup());
    return b;
  }

  static ObjectNode recommendGroups(RecommendPointGroups r) {
    RecommendPoints.Builder q = RecommendPoints.newBuilder().addAllPositive(r.getPositiveList())
        .addAllNegative(r.getNegativeList()).addAllPositiveVectors(r.getPositiveVectorsList())
        .addAllNegativeVectors(r.getNegativeVectorsList()).setLimit(r.getLimit());
    if (r.hasFilter()) q.setFilter(r.getFilter());
    if (r.hasWithPayload()) q.setWithPayload(r.getWithPayload());
    if (r.hasParams()) q.setParams(r.getParams());
    if (r.hasScoreThreshold()) q.setScoreThreshold(r.getScoreThreshold());
    if (r.hasUsing()) q.setUsing(r.getUsing());
    if (r.hasWithVectors()) q.setWithVectors(r.getWithVectors());
    if (r.hasLookupFrom()) q.setLookupFrom(r.getLookupFrom());
    if (r.hasStrategy()) q.setStrategy(r.getStrategy());
    ObjectNode b = recommend(q.build());
    groups(b, r.getGroupBy(), r.getGroupSize(), r.hasWithLookup(), r.getWithLookup());
    return b;
  }

  /** group_by, group_size (0: left to the default) and with_lookup. */
  private static void groups(ObjectNode b, String groupBy, long groupSize, boolean hasLookup, WithLookup lookup) {
    b.remove("offset");
    b.put("group_by", groupBy);
    if (groupSize > 0) {
      b.put("group_size", groupSize);
    }
    if (hasLookup) {
      ObjectNode l = b.putObject("with_lookup");
      l.put("collection", lookup.getCollection());
      if (lookup.hasWithPayload()) {
        ObjectNode tmp = Rpc.body();
        ReadRequests.payload(tmp, true, lookup.getWithPayload());
        if (tmp.has("with_payload")) {
          l.set("with_payload", tmp.get("with_payload"));
        }
      }
      if (lookup.hasWithVectors()) {
        ObjectNode tmp = Rpc.body();
        ReadRequests.vectors(tmp, true, lookup.getWithVectors());
        if (tmp.has("with_vector")) {
          l.set("with_vectors", tmp.get("with_vector"));
        }
      }
    }
  }

  static ObjectNode facet(FacetCounts r) {
    ObjectNode b = Rpc.body();
    b.put("key", r.getKey());
    if (r.hasFilter()) {
      b.set("filter", Filters.json(r.getFilter()));
    }
    if (r.hasLimit()) {
      b.put("limit", r.getLimit());
    }
    if (r.hasExact()) {
      b.put("exact", r.getExact());
    }
    return b;
  }

  static ObjectNode matrix(SearchMatrixPoints r) {
    ObjectNode b = Rpc.body();
    if (r.hasFilter()) {
      b.set("filter", Filters.json(r.getFilter()));
    }
    if (r.hasSample()) {
      b.put("sample", r.getSample());
    }
    if (r.hasLimit()) {
      b.put("limit", r.getLimit());
    }
    if (r.hasUsing()) {
      b.put("using", r.getUsing());
    }
    return b;
  }
}
