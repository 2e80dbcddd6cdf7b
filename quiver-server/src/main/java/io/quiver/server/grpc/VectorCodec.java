package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qdrant.client.grpc.Points.DenseVector;
import io.qdrant.client.grpc.Points.Document;
import io.qdrant.client.grpc.Points.MultiDenseVector;
import io.qdrant.client.grpc.Points.NamedVectorsOutput;
import io.qdrant.client.grpc.Points.SparseVector;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorInput;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.Vectors;
import io.qdrant.client.grpc.Points.VectorsOutput;
import java.util.List;

/**
 * Vectors between Qdrant's protobuf messages and the REST API's JSON: a dense vector is an array, a sparse one
 * {@code {indices, values}}, a multi-vector an array of arrays, a Document {@code {text, model, options}}. Vectors
 * arrive in either encoding (the {@code dense}/{@code sparse}/{@code multi_dense} variants or the deprecated
 * {@code data}/{@code indices}/{@code vectors_count} fields, which older clients still send) and are answered in both,
 * as Qdrant does, so clients that read either find them.
 */
final class VectorCodec {
  private VectorCodec() {}

  /** A point's vectors: the unnamed vector's JSON, or an object of named ones. */
  static JsonNode json(io.qdrant.client.grpc.Points.Vectors v) {
    return switch (v.getVectorsOptionsCase()) {
      case VECTOR -> json(v.getVector());
      case VECTORS -> {
        ObjectNode o = Values.NODES.objectNode();
        v.getVectors().getVectorsMap().forEach((k, x) -> o.set(k, json(x)));
        yield o;
      }
      case VECTORSOPTIONS_NOT_SET -> throw Filters.invalid("a point's vectors are empty");
    };
  }

  @SuppressWarnings("deprecation") // the deprecated fields are what older clients send
  static JsonNode json(Vector v) {
    return switch (v.getVectorCase()) {
      case DENSE -> floats(v.getDense().getDataList());
      case SPARSE -> sparse(v.getSparse());
      case MULTI_DENSE -> multi(v.getMultiDense());
      case DOCUMENT -> document(v.getDocument());
      case IMAGE -> throw Rpc.unimplemented("image vectors (inference) are not supported");
      case OBJECT -> throw Rpc.unimplemented("inference objects are not supported");
      case VECTOR_NOT_SET -> {
        if (v.hasIndices()) {
          ObjectNode o = Values.NODES.objectNode();
          v.getIndices().getDataList().forEach(o.putArray("indices")::add);
          v.getDataList().forEach(o.putArray("values")::add);
          yield o;
        }
        if (v.hasVectorsCount() && v.getVectorsCount() > 0) {
          int n = v.getVectorsCount();
          List<Float> data = v.getDataList();
          if (data.size() % n != 0) {
            throw Filters.invalid("a multi-vector of " + data.size() + " numbers does not split into " + n
                + " vectors");
          }
          int dim = data.size() / n;
          ArrayNode a = Values.NODES.arrayNode(n);
          for (int i = 0; i < n; i++) {
            a.add(floats(data.subList(i * dim, (i + 1) * dim)));
          }
          yield a;
        }
        yield floats(v.getDataList());
      }
    };
  }

  /** A query vector, or a point id standing for its vector. */
  static JsonNode json(VectorInput v) {
    return switch (v.getVariantCase()) {
      case ID -> Values.id(v.getId());
      case DENSE -> floats(v.getDense().getDataList());
      case SPARSE -> sparse(v.getSparse());
      case MULTI_DENSE -> multi(v.getMultiDense());
      case DOCUMENT -> document(v.getDocument());
      case IMAGE -> throw Rpc.unimplemented("image queries (inference) are not supported");
      case OBJECT -> throw Rpc.unimplemented("inference object queries are not supported");
      case VARIANT_NOT_SET -> throw Filters.invalid("a query vector is empty");
    };
  }

  static ArrayNode floats(List<Float> data) {
    ArrayNode a = Values.NODES.arrayNode(data.size());
    for (int i = 0; i < data.size(); i++) {
      a.add(data.get(i));
    }
    return a;
  }

  static ObjectNode sparse(SparseVector s) {
    ObjectNode o = Values.NODES.objectNode();
    s.getIndicesList().forEach(o.putArray("indices")::add);
    s.getValuesList().forEach(o.putArray("values")::add);
    return o;
  }

  private static ArrayNode multi(MultiDenseVector m) {
    ArrayNode a = Values.NODES.arrayNode(m.getVectorsCount());
    m.getVectorsList().forEach(d -> a.add(floats(d.getDataList())));
    return a;
  }

  private static ObjectNode document(Document d) {
    ObjectNode o = Values.NODES.objectNode();
    o.put("text", d.getText());
    o.put("model", d.getModel());
    if (d.getOptionsCount() > 0) {
      o.set("options", Values.json(d.getOptionsMap()));
    }
    return o;
  }

  // ------------------------------------------------------------------ answers

  /** A point's vectors as answered: null when the answer has none. */
  static VectorsOutput output(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return null;
    }
    if (v.isObject()) {
      NamedVectorsOutput.Builder named = NamedVectorsOutput.newBuilder();
      v.properties().forEach(e -> named.putVectors(e.getKey(), vectorOutput(e.getValue())));
      return VectorsOutput.newBuilder().setVectors(named).build();
    }
    return VectorsOutput.newBuilder().setVector(vectorOutput(v)).build();
  }

  @SuppressWarnings("deprecation") // Qdrant fills the deprecated fields too; some clients read only them
  private static VectorOutput vectorOutput(JsonNode v) {
    VectorOutput.Builder b = VectorOutput.newBuilder();
    if (v.isObject()) { // sparse {indices, values}
      SparseVector.Builder s = SparseVector.newBuilder();
      var indices = io.qdrant.client.grpc.Points.SparseIndices.newBuilder();
      v.path("indices").forEach(i -> {
        s.addIndices(i.intValue());
        indices.addData(i.intValue());
      });
      v.path("values").forEach(x -> {
        s.addValues(x.floatValue());
        b.addData(x.floatValue());
      });
      return b.setSparse(s).setIndices(indices).build();
    }
    if (v.size() > 0 && v.get(0).isArray()) { // multi-vector
      MultiDenseVector.Builder m = MultiDenseVector.newBuilder();
      for (JsonNode row : v) {
        DenseVector.Builder d = DenseVector.newBuilder();
        row.forEach(x -> {
          d.addData(x.floatValue());
          b.addData(x.floatValue());
        });
        m.addVectors(d);
      }
      return b.setMultiDense(m).setVectorsCount(v.size()).build();
    }
    DenseVector.Builder d = DenseVector.newBuilder();
    float[] data = new float[v.size()];
    for (int i = 0; i < data.length; i++) {
      data[i] = v.get(i).floatValue();
    }
    for (float x : data) {
      d.addData(x);
      b.addData(x);
    }
    return b.setDense(d).build();
  }

  static boolean present(Vectors v) {
    return v.getVectorsOptionsCase() != Vectors.VectorsOptionsCase.VECTORSOPTIONS_NOT_SET;
  }
}
