package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.TextIndexParams;
import io.qdrant.client.grpc.Points.ClearPayloadPoints;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePayloadPoints;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointVectors;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.UpdatePointVectors;
import io.qdrant.client.grpc.Points.PointsUpdateOperation;
import io.qdrant.client.grpc.Points.UpdateBatchPoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.util.List;
import java.util.Locale;

/** Write requests (points, payloads, vectors, payload indexes) as the REST API's JSON bodies. */
final class WriteRequests {
  private WriteRequests() {}

  static ObjectNode upsert(UpsertPoints r) {
    ObjectNode b = Rpc.body();
    b.set("points", points(r.getPointsList()));
    if (r.hasUpdateMode()) {
      b.put("update_mode", switch (r.getUpdateMode()) {
        case InsertOnly -> "insert_only";
        case UpdateOnly -> "update_only";
        default -> "upsert";
      });
    }
    if (r.hasUpdateFilter()) {
      b.set("update_filter", Filters.json(r.getUpdateFilter()));
    }
    return b;
  }

  static ArrayNode points(List<PointStruct> points) {
    ArrayNode a = Values.NODES.arrayNode(points.size());
    for (PointStruct p : points) {
      ObjectNode o = a.addObject();
      if (!p.hasId()) {
        throw Filters.invalid("a point has no id");
      }
      o.set("id", Values.id(p.getId()));
      if (p.hasVectors() && VectorCodec.present(p.getVectors())) {
        o.set("vector", VectorCodec.json(p.getVectors()));
      }
      if (p.getPayloadCount() > 0) {
        o.set("payload", Values.json(p.getPayloadMap()));
      }
    }
    return a;
  }

  static ObjectNode delete(DeletePoints r) {
    ObjectNode b = Rpc.body();
    selector(b, r.hasPoints(), r.getPoints());
    return b;
  }

  static ObjectNode setPayload(SetPayloadPoints r) {
    ObjectNode b = Rpc.body();
    b.set("payload", Values.json(r.getPayloadMap()));
    selector(b, r.hasPointsSelector(), r.getPointsSelector());
    if (r.hasKey()) {
      b.put("key", r.getKey());
    }
    return b;
  }

  static ObjectNode deletePayload(DeletePayloadPoints r) {
    ObjectNode b = Rpc.body();
    r.getKeysList().forEach(b.putArray("keys")::add);
    selector(b, r.hasPointsSelector(), r.getPointsSelector());
    return b;
  }

  static ObjectNode clearPayload(ClearPayloadPoints r) {
    ObjectNode b = Rpc.body();
    selector(b, r.hasPoints(), r.getPoints());
    return b;
  }

  static ObjectNode updateVectors(UpdatePointVectors r) {
    ObjectNode b = Rpc.body();
    ArrayNode a = b.putArray("points");
    for (PointVectors p : r.getPointsList()) {
      ObjectNode o = a.addObject();
      o.set("id", Values.id(p.getId()));
      o.set("vector", VectorCodec.json(p.getVectors()));
    }
    if (r.hasUpdateFilter()) {
      b.set("update_filter", Filters.json(r.getUpdateFilter()));
    }
    return b;
  }

  /**
   * {@code points} (ids) or {@code filter}; an empty filter selects every point, as in Qdrant (LangChain4j's
   * {@code removeAll} deletes with one).
   */
  static void selector(ObjectNode b, boolean has, PointsSelector s) {
    if (!has) {
      throw Filters.invalid("the points selector (ids or a filter) is missing");
    }
    switch (s.getPointsSelectorOneOfCase()) {
      case POINTS -> b.set("points", Values.ids(s.getPoints().getIdsList()));
      case FILTER -> b.set("filter", Filters.json(s.getFilter()));
      case POINTSSELECTORONEOF_NOT_SET -> throw Filters.invalid("the points selector (ids or a filter) is empty");
    }
  }

  static ObjectNode createIndex(CreateFieldIndexCollection r) {
    ObjectNode b = Rpc.body();
    b.put("field_name", r.getFieldName());
    String type = r.hasFieldType() ? typeName(r.getFieldType()) : null;
    if (r.hasFieldIndexParams()) {
      PayloadIndexParams p = r.getFieldIndexParams();
      switch (p.getIndexParamsCase()) {
        case TEXT_INDEX_PARAMS -> {
          b.set("field_schema", text(p.getTextIndexParams()));
          return b;
        }
        case KEYWORD_INDEX_PARAMS -> {
          ObjectNode s = b.putObject("field_schema").put("type", "keyword");
          if (p.getKeywordIndexParams().hasIsTenant()) {
            s.put("is_tenant", p.getKeywordIndexParams().getIsTenant());
          }
          return b;
        }
        case UUID_INDEX_PARAMS -> {
          ObjectNode s = b.putObject("field_schema").put("type", "uuid");
          if (p.getUuidIndexParams().hasIsTenant()) {
            s.put("is_tenant", p.getUuidIndexParams().getIsTenant());
          }
          return b;
        }
        case INTEGER_INDEX_PARAMS -> type = "integer";
        case FLOAT_INDEX_PARAMS -> type = "float";
        case GEO_INDEX_PARAMS -> type = "geo";
        case BOOL_INDEX_PARAMS -> type = "bool";
        case DATETIME_INDEX_PARAMS -> type = "datetime";
        case INDEXPARAMS_NOT_SET -> { }
      }
    }
    if (type == null) {
      throw Filters.invalid("field_type: required");
    }
    b.put("field_schema", type);
    return b;
  }

  private static String typeName(FieldType t) {
    return switch (t) {
      case FieldTypeKeyword -> "keyword";
      case FieldTypeInteger -> "integer";
      case FieldTypeFloat -> "float";
      case FieldTypeGeo -> "geo";
      case FieldTypeText -> "text";
      case FieldTypeBool -> "bool";
      case FieldTypeDatetime -> "datetime";
      case FieldTypeUuid -> "uuid";
      case UNRECOGNIZED -> throw Filters.invalid("field_type: unknown value");
    };
  }

  private static ObjectNode text(TextIndexParams t) {
    ObjectNode o = Values.NODES.objectNode();
    o.put("type", "text");
    if (t.getTokenizer() != io.qdrant.client.grpc.Collections.TokenizerType.Unknown) {
      o.put("tokenizer", t.getTokenizer().name().toLowerCase(Locale.ROOT));
    }
    if (t.hasLowercase()) o.put("lowercase", t.getLowercase());
    if (t.hasMinTokenLen()) o.put("min_token_len", t.getMinTokenLen());
    if (t.hasMaxTokenLen()) o.put("max_token_len", t.getMaxTokenLen());
    if (t.hasPhraseMatching()) o.put("phrase_matching", t.getPhraseMatching());
    if (t.hasAsciiFolding()) o.put("ascii_folding", t.getAsciiFolding());
    if (t.hasStopwords()) {
      ObjectNode s = o.putObject("stopwords");
      t.getStopwords().getLanguagesList().forEach(s.putArray("languages")::add);
      t.getStopwords().getCustomList().forEach(s.putArray("custom")::add);
    }
    if (t.hasStemmer() && t.getStemmer().hasSnowball()) {
      o.putObject("stemmer").put("type", "snowball").put("language", t.getStemmer().getSnowball().getLanguage());
    }
    return o;
  }

  /** {@code {"operations": [{kind: body}, ...]}}, each body as its own RPC's. */
  @SuppressWarnings("deprecation") // the deprecated delete and clear_payload forms are still sent by old clients
  static ObjectNode batch(UpdateBatchPoints r) {
    ObjectNode b = Rpc.body();
    ArrayNode ops = b.putArray("operations");
    for (PointsUpdateOperation op : r.getOperationsList()) {
      ObjectNode o = ops.addObject();
      switch (op.getOperationCase()) {
        case UPSERT -> {
          var u = op.getUpsert();
          UpsertPoints.Builder ub = UpsertPoints.newBuilder().addAllPoints(u.getPointsList());
          if (u.hasUpdateFilter()) ub.setUpdateFilter(u.getUpdateFilter());
          if (u.hasUpdateMode()) ub.setUpdateMode(u.getUpdateMode());
          o.set("upsert", upsert(ub.build()));
        }
        case DELETE_DEPRECATED -> o.set("delete", delete(DeletePoints.newBuilder()
            .setPoints(op.getDeleteDeprecated()).build()));
        case DELETE_POINTS -> o.set("delete", delete(DeletePoints.newBuilder()
            .setPoints(op.getDeletePoints().getPoints()).build()));
        case SET_PAYLOAD -> {
          var p = op.getSetPayload();
          SetPayloadPoints.Builder sb = SetPayloadPoints.newBuilder().putAllPayload(p.getPayloadMap());
          if (p.hasPointsSelector()) sb.setPointsSelector(p.getPointsSelector());
          if (p.hasKey()) sb.setKey(p.getKey());
          o.set("set_payload", setPayload(sb.build()));
        }
        case OVERWRITE_PAYLOAD -> {
          var p = op.getOverwritePayload();
          SetPayloadPoints.Builder sb = SetPayloadPoints.newBuilder().putAllPayload(p.getPayloadMap());
          if (p.hasPointsSelector()) sb.setPointsSelector(p.getPointsSelector());
          if (p.hasKey()) sb.setKey(p.getKey());
          o.set("overwrite_payload", setPayload(sb.build()));
        }
        case DELETE_PAYLOAD -> {
          var p = op.getDeletePayload();
          DeletePayloadPoints.Builder db = DeletePayloadPoints.newBuilder().addAllKeys(p.getKeysList());
          if (p.hasPointsSelector()) db.setPointsSelector(p.getPointsSelector());
          o.set("delete_payload", deletePayload(db.build()));
        }
        case CLEAR_PAYLOAD_DEPRECATED -> o.set("clear_payload", clearPayload(ClearPayloadPoints.newBuilder()
            .setPoints(op.getClearPayloadDeprecated()).build()));
        case CLEAR_PAYLOAD -> o.set("clear_payload", clearPayload(ClearPayloadPoints.newBuilder()
            .setPoints(op.getClearPayload().getPoints()).build()));
        case UPDATE_VECTORS -> {
          var v = op.getUpdateVectors();
          UpdatePointVectors.Builder vb = UpdatePointVectors.newBuilder().addAllPoints(v.getPointsList());
          if (v.hasUpdateFilter()) vb.setUpdateFilter(v.getUpdateFilter());
          o.set("update_vectors", updateVectors(vb.build()));
        }
        case DELETE_VECTORS -> throw Rpc.unimplemented("deleting named vectors of points is not supported");
        case OPERATION_NOT_SET -> throw Filters.invalid("an update operation is empty");
      }
    }
    return b;
  }
}
