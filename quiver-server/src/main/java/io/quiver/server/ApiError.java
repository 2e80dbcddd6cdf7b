package io.quiver.server;

/** A request the server refuses, with the HTTP status to answer and a message for the client. */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;
  /**
   * Whether the request is well formed but asks for something Quiver does not do (REST answers 400 like Qdrant does
   * for input it rejects; gRPC answers UNIMPLEMENTED).
   */
  final boolean unsupported;

  ApiError(int status, String message) {
    this(status, message, false);
  }

  private ApiError(int status, String message, boolean unsupported) {
    super(message, null, false, false);
    this.status = status;
    this.unsupported = unsupported;
  }

  static ApiError badRequest(String message) {
    return new ApiError(400, message);
  }

  /** A feature Quiver does not implement: 400 over REST, UNIMPLEMENTED over gRPC. */
  static ApiError unsupported(String message) {
    return new ApiError(400, message, true);
  }
}
