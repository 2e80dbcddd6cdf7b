package io.quiver.server.grpc;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.quiver.server.JsonApi;

/**
 * The one place errors become gRPC statuses. Failures of the shared operations keep the REST API's message and map
 * its HTTP status as Qdrant's gRPC server does: 400 INVALID_ARGUMENT (UNIMPLEMENTED for a feature Quiver lacks),
 * 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 408 DEADLINE_EXCEEDED, 409 ALREADY_EXISTS, 413, 429 and
 * 507 RESOURCE_EXHAUSTED, anything else INTERNAL.
 */
final class GrpcErrors {
  private GrpcErrors() {}

  static Status status(Throwable err, String rpc) {
    if (err instanceof StatusRuntimeException s) {
      return s.getStatus();
    }
    if (err instanceof StatusException s) {
      return s.getStatus();
    }
    Exception e = err instanceof Exception x ? x : new RuntimeException(err);
    JsonApi.Failure f = JsonApi.failure(e, rpc);
    if (f.unsupported()) {
      return Status.UNIMPLEMENTED.withDescription(f.message());
    }
    return code(f.status()).withDescription(f.message());
  }

  static Status code(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> Status.INVALID_ARGUMENT;
      case 401 -> Status.UNAUTHENTICATED;
      case 403 -> Status.PERMISSION_DENIED;
      case 404 -> Status.NOT_FOUND;
      case 408 -> Status.DEADLINE_EXCEEDED;
      case 409 -> Status.ALREADY_EXISTS;
      case 413, 429, 507 -> Status.RESOURCE_EXHAUSTED;
      case 501 -> Status.UNIMPLEMENTED;
      default -> Status.INTERNAL;
    };
  }
}
