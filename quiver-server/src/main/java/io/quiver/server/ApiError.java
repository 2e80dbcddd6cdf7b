package io.quiver.server;

/** A request the server refuses, with the HTTP status to answer and a message for the client. */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;

  ApiError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static ApiError badRequest(String message) {
    return new ApiError(400, message);
  }
}
