package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.OrderBy;
import io.qdrant.client.grpc.Points.PrefetchQuery;
import io.qdrant.client.grpc.Points.Query;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.SearchParams;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import java.util.List;
import java.util.Locale;

/**
 * Read requests (get, search, query, scroll, count) as the REST API's JSON bodies. Fields a request leaves unset are
 * left out, so the shared code applies the REST defaults; shard keys and read consistency, which a single node has no
 * use for, are ignored as Qdrant does for a collection without custom sharding.
 */
final class ReadRequests {
  private ReadRequests() {}

  static ObjectNode get(GetPoints r) {
    ObjectNode b = Rpc.body();
    b.set("ids", Values.ids(r.getIdsList()));
    payload(b, r.hasWithPayload(), r.getWithPayload());
    vectors(b, r.hasWithVectors(), r.getWithVectors());
    return b;
  }

  static ObjectNode search(SearchPoints r) {
    ObjectNode b = Rpc.body();
    String name = r.hasVectorName() ? r.getVectorName() : null;
    if (r.hasSparseIndices()) {
      ObjectNode named = b.putObject("vector");
      named.put("name", name == null ? "" : name);
      ObjectNode sparse = named.putObject("vector");
      r.getSparseIndices().getDataList().forEach(sparse.putArray("indices")::add);
      sparse.set("values", VectorCodec.floats(r.getVectorList()));
    } else if (name != null && !name.isEmpty()) {
      ObjectNode named = b.putObject("vector");
      named.put("name", name);
      named.set("vector", VectorCodec.floats(r.getVectorList()));
    } else {
      b.set("vector", VectorCodec.floats(r.getVectorList()));
    }
    if (r.hasFilter()) {
      b.set("filter", Filters.json(r.getFilter()));
    }
    b.put("limit", r.getLimit());
    if (r.hasOffset()) {
      b.put("offset", r.getOffset());
    }
    if (r.hasParams()) {
      b.set("params", params(r.getParams()));
    }
    if (r.hasScoreThreshold()) {
      b.put("score_threshold", r.getScoreThreshold());
    }
    payload(b, r.hasWithPayload(), r.getWithPayload());
    vectors(b, r.hasWithVectors(), r.getWithVectors());
    return b;
  }

  static ObjectNode query(QueryPoints r) {
    ObjectNode b = Rpc.body();
    if (r.getPrefetchCount() > 0) {
      b.set("prefetch", prefetches(r.getPrefetchList()));
    }
    if (r.hasQuery()) {
      b.set("query", Queries.json(r.getQuery()));
    }
    if (r.hasUsing()) {
      b.put("using", r.getUsing());
    }
    if (r.hasFilter()) {
      b.set("filter", Filters.json(r.getFilter()));
    }
    if (r.hasParams()) {
      b.set("params", params(r.getParams()));
    }
    if (r.hasScoreThreshold()) {
      b.put("score_threshold", r.getScoreThreshold());
    }
    if (r.hasLimit()) {
      b.put("limit", r.getLimit());
    }
    if (r.hasOffset()) {
      b.put("offset", r.getOffset());
    }
    if (r.hasLookupFrom()) {
      throw Rpc.unimplemented("lookup_from is not supported");
    }
    payload(b, r.hasWithPayload(), r.getWithPayload());
    vectors(b, r.hasWithVectors(), r.getWithVectors());
    return b;
  }

  private static ArrayNode prefetches(List<PrefetchQuery> ps) {
    ArrayNode a = Values.NODES.arrayNode(ps.size());
    for (PrefetchQuery p : ps) {
      ObjectNode o = a.addObject();
      if (p.getPrefetchCount() > 0) {
        o.set("prefetch", prefetches(p.getPrefetchList()));
      }
      if (p.hasQuery()) {
        o.set("query", Queries.json(p.getQuery()));
      }
      if (p.hasUsing()) {
        o.put("using", p.getUsing());
      }
      if (p.hasFilter()) {
        o.set("filter", Filters.json(p.getFilter()));
      }
      if (p.hasParams()) {
        o.set("params", params(p.getParams()));
      }
      if (p.hasScoreThreshold()) {
        o.put("score_threshold", p.getScoreThreshold());
      }
      if (p.hasLimit()) {
        o.put("limit", p.getLimit());
      }
      if (p.hasLookupFrom()) {
        throw Rpc.unimplemented("lookup_from is not supported");
      }
    }
    return a;
  }

  static ObjectNode scroll(ScrollPoints r) {
    ObjectNode b = Rpc.body();
    if (r.hasFilter()) {
      b.set("filter", Filters.json(r.getFilter()));
    }
    if (r.hasOffset()) {
      b.set("offset", Values.id(r.getOffset()));
    }
    if (r.hasLimit()) {
      b.put("limit", r.getLimit());
    }
    if (r.hasOrderBy()) {
      b.set("order_by", orderBy(r.getOrderBy()));
    }
    payload(b, r.hasWithPayload(), r.getWithPayload());
    vectors(b, r.hasWithVectors(), r.getWithVectors());
    return b;
  }

  static ObjectNode count(CountPoints r) {
    ObjectNode b = Rpc.body();
    if (r.hasFilter()) {
      b.set("filter", Filters.json(r.getFilter()));
    }
    if (r.hasExact()) {
      b.put("exact", r.getExact());
    }
    return b;
  }

  static ObjectNode orderBy(OrderBy o) {
    ObjectNode n = Values.NODES.objectNode();
    n.put("key", o.getKey());
    if (o.hasDirection()) {
      n.put("direction", o.getDirection().name().toLowerCase(Locale.ROOT));
    }
    if (o.hasStartFrom()) {
      var s = o.getStartFrom();
      switch (s.getValueCase()) {
        case FLOAT -> n.put("start_from", s.getFloat());
        case INTEGER -> n.put("start_from", s.getInteger());
        case DATETIME -> n.put("start_from", s.getDatetime());
        case TIMESTAMP -> n.put("start_from", java.time.Instant.ofEpochSecond(s.getTimestamp().getSeconds(),
            s.getTimestamp().getNanos()).toString());
        case VALUE_NOT_SET -> { }
      }
    }
    return n;
  }

  static ObjectNode params(SearchParams p) {
    ObjectNode o = Values.NODES.objectNode();
    if (p.hasHnswEf()) {
      o.put("hnsw_ef", p.getHnswEf());
    }
    if (p.hasExact()) {
      o.put("exact", p.getExact());
    }
    if (p.hasIndexedOnly()) {
      o.put("indexed_only", p.getIndexedOnly());
    }
    if (p.hasQuantization()) {
      ObjectNode q = o.putObject("quantization");
      var x = p.getQuantization();
      if (x.hasIgnore()) q.put("ignore", x.getIgnore());
      if (x.hasRescore()) q.put("rescore", x.getRescore());
      if (x.hasOversampling()) q.put("oversampling", x.getOversampling());
    }
    if (p.hasAcorn()) {
      ObjectNode a = o.putObject("acorn");
      var x = p.getAcorn();
      if (x.hasEnable()) a.put("enable", x.getEnable());
      if (x.hasMaxSelectivity()) a.put("max_selectivity", x.getMaxSelectivity());
    }
    return o;
  }

  static void payload(ObjectNode b, boolean has, WithPayloadSelector s) {
    if (!has) {
      return;
    }
    switch (s.getSelectorOptionsCase()) {
      case ENABLE -> b.put("with_payload", s.getEnable());
      case INCLUDE -> s.getInclude().getFieldsList().forEach(b.putObject("with_payload").putArray("include")::add);
      case EXCLUDE -> s.getExclude().getFieldsList().forEach(b.putObject("with_payload").putArray("exclude")::add);
      case SELECTOROPTIONS_NOT_SET -> { }
    }
  }

  static void vectors(ObjectNode b, boolean has, WithVectorsSelector s) {
    if (!has) {
      return;
    }
    switch (s.getSelectorOptionsCase()) {
      case ENABLE -> b.put("with_vector", s.getEnable());
      case INCLUDE -> s.getInclude().getNamesList().forEach(b.putArray("with_vector")::add);
      case SELECTOROPTIONS_NOT_SET -> { }
    }
  }

  static boolean hasQuery(Query q) {
    return q.getVariantCase() != Query.VariantCase.VARIANT_NOT_SET;
  }
}
