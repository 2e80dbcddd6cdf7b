package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quiver.server.JsonApi;
import io.quiver.server.JsonApi.Operation;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the shared operations for the gRPC services and answers unary calls: one value or the mapped error
 * ({@link GrpcErrors}), never both.
 */
final class Rpc {
  /** Builds an answer from the moment the call started (for Qdrant's {@code time} field, in seconds). */
  @FunctionalInterface
  interface Answer<T> {
    T build(long startNanos) throws Exception;
  }

  final JsonApi api;

  Rpc(JsonApi api) {
    this.api = api;
  }

  /** Runs {@code op} on collection {@code name} with the body {@code body}; {@code timeout}: seconds, 0 for default. */
  JsonNode run(Operation op, String name, ObjectNode body, long timeoutSeconds) throws Exception {
    return run(op, name, body, timeoutSeconds, Map.of());
  }

  JsonNode run(Operation op, String name, ObjectNode body, long timeoutSeconds, Map<String, String> extra)
      throws Exception {
    Map<String, String> params = new HashMap<>(extra);
    if (name != null) {
      params.put("name", name);
    }
    Duration timeout = timeoutSeconds > 0 ? Duration.ofSeconds(timeoutSeconds) : null;
    return api.run(op, params, body == null ? Values.NODES.objectNode() : body, timeout);
  }

  /** A write: {@code wait} says whether the answer reports it completed (true) or acknowledged. */
  JsonNode write(Operation op, String name, ObjectNode body, boolean wait) throws Exception {
    return run(op, name, body, 0, Map.of("wait", String.valueOf(wait)));
  }

  static <T> void answer(StreamObserver<T> out, String rpc, Answer<T> answer) {
    long start = System.nanoTime();
    T value;
    try {
      value = answer.build(start);
    } catch (Throwable e) {
      out.onError(GrpcErrors.status(e, rpc).asRuntimeException());
      return;
    }
    out.onNext(value);
    out.onCompleted();
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  static StatusRuntimeException unimplemented(String what) {
    return Status.UNIMPLEMENTED.withDescription("Not implemented: " + what).asRuntimeException();
  }

  static ObjectNode body() {
    return Values.NODES.objectNode();
  }
}
