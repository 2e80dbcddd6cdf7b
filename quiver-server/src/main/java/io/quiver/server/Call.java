package io.quiver.server;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One call of a Qdrant operation, whatever carried it: a REST request ({@link HttpCall}) or a gRPC message turned
 * into the REST API's JSON shapes ({@link JsonApi}). The operations read only this, so both transports share one
 * implementation, with the same validation, limits and error texts.
 */
interface Call {
  /** The path parameter {@code name} ({@code {name}}, {@code {field}}, ...), or null. */
  String pathParam(String name);

  /** The query parameter {@code name}, or null when absent. */
  String queryParam(String name);

  /** The request body as a JSON object ({@code {}} when empty). */
  ObjectNode body();
}
