package io.quiver.agent.mcp;

/** A JSON-RPC 2.0 error answer: the code and message the client receives in the response's {@code error}. */
public final class JsonRpcException extends Exception {
  /** The line is not JSON. */
  public static final int PARSE_ERROR = -32700;
  /** The JSON is not a JSON-RPC 2.0 request object. */
  public static final int INVALID_REQUEST = -32600;
  /** No such method. */
  public static final int METHOD_NOT_FOUND = -32601;
  /** The method exists but its params are wrong (including an unknown tool name). */
  public static final int INVALID_PARAMS = -32602;
  /** The server failed; the request may have been fine. */
  public static final int INTERNAL_ERROR = -32603;

  private final int code;

  public JsonRpcException(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public int code() {
    return code;
  }

  static JsonRpcException invalidParams(String message) {
    return new JsonRpcException(INVALID_PARAMS, message);
  }

  static JsonRpcException invalidRequest(String message) {
    return new JsonRpcException(INVALID_REQUEST, message);
  }
}
