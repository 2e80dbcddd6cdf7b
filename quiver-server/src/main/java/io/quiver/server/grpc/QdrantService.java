package io.quiver.server.grpc;

import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.QdrantGrpc;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;
import io.quiver.server.QuiverServer;

/** {@code qdrant.Qdrant/HealthCheck}: the Qdrant API version, as {@code GET /} reports it; needs no key. */
final class QdrantService extends QdrantGrpc.QdrantImplBase {
  @Override
  public void healthCheck(HealthCheckRequest r, StreamObserver<HealthCheckReply> out) {
    Rpc.answer(out, "HealthCheck", start -> HealthCheckReply.newBuilder().setTitle("quiver - vector search engine")
        .setVersion(QuiverServer.QDRANT_VERSION).build());
  }
}
