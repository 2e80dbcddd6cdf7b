package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qdrant.client.grpc.Points.ContextInput;
import io.qdrant.client.grpc.Points.Query;
import io.qdrant.client.grpc.Points.RecommendStrategy;
import java.util.Locale;

/** The universal query API's {@code Query} as the REST API's {@code query} value. */
final class Queries {
  private Queries() {}

  static JsonNode json(Query q) {
    ObjectNode o = Values.NODES.objectNode();
    switch (q.getVariantCase()) {
      case NEAREST -> {
        return VectorCodec.json(q.getNearest());
      }
      case RECOMMEND -> {
        var r = q.getRecommend();
        ObjectNode n = o.putObject("recommend");
        ArrayNode pos = n.putArray("positive");
        r.getPositiveList().forEach(v -> pos.add(VectorCodec.json(v)));
        ArrayNode neg = n.putArray("negative");
        r.getNegativeList().forEach(v -> neg.add(VectorCodec.json(v)));
        if (r.hasStrategy()) {
          n.put("strategy", strategy(r.getStrategy()));
        }
      }
      case DISCOVER -> {
        ObjectNode n = o.putObject("discover");
        n.set("target", VectorCodec.json(q.getDiscover().getTarget()));
        n.set("context", context(q.getDiscover().getContext()));
      }
      case CONTEXT -> o.set("context", context(q.getContext()));
      case ORDER_BY -> o.set("order_by", ReadRequests.orderBy(q.getOrderBy()));
      case FUSION -> o.put("fusion", q.getFusion().name().toLowerCase(Locale.ROOT));
      case SAMPLE -> o.put("sample", q.getSample().name().toLowerCase(Locale.ROOT));
      case NEAREST_WITH_MMR -> {
        o.set("nearest", VectorCodec.json(q.getNearestWithMmr().getNearest()));
        var m = q.getNearestWithMmr().getMmr();
        ObjectNode mmr = o.putObject("mmr");
        if (m.hasDiversity()) {
          mmr.put("diversity", m.getDiversity());
        }
        if (m.hasCandidatesLimit()) {
          mmr.put("candidates_limit", m.getCandidatesLimit());
        }
      }
      case RRF -> {
        ObjectNode rrf = o.putObject("rrf");
        if (q.getRrf().hasK()) {
          rrf.put("k", q.getRrf().getK());
        }
        if (q.getRrf().getWeightsCount() > 0) {
          q.getRrf().getWeightsList().forEach(rrf.putArray("weights")::add);
        }
      }
      case FORMULA -> throw Rpc.unimplemented("formula queries over gRPC are not supported (use the REST API)");
      case RELEVANCE_FEEDBACK -> throw Rpc.unimplemented("relevance feedback queries are not supported");
      case VARIANT_NOT_SET -> throw Filters.invalid("the query is empty");
    }
    return o;
  }

  static String strategy(RecommendStrategy s) {
    return switch (s) {
      case BestScore -> "best_score";
      case SumScores -> "sum_scores";
      default -> "average_vector";
    };
  }

  private static ArrayNode context(ContextInput c) {
    ArrayNode a = Values.NODES.arrayNode();
    c.getPairsList().forEach(p -> {
      ObjectNode pair = a.addObject();
      pair.set("positive", VectorCodec.json(p.getPositive()));
      pair.set("negative", VectorCodec.json(p.getNegative()));
    });
    return a;
  }
}
