package io.quiver.cli.retrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** JSON calls to a Qdrant-compatible REST server; a non-2xx answer is an IOException carrying the server's error. */
final class RestSession {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String base;

  RestSession(String base) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  /** The {@code result} of the call, or null for a 404 when {@code allow404}. */
  JsonNode call(String method, String path, JsonNode body, boolean allow404) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<byte[]> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (r.statusCode() == 404 && allow404) {
      return null;
    }
    JsonNode reply = r.body().length == 0 ? null : JSON.readTree(r.body());
    if (r.statusCode() / 100 != 2) {
      throw new IOException(method + " " + path + " -> " + r.statusCode() + ": "
          + (reply == null ? "" : reply.path("status").path("error").asText(reply.toString())));
    }
    return reply == null ? null : reply.get("result");
  }

  JsonNode call(String method, String path, JsonNode body) throws IOException {
    return call(method, path, body, false);
  }
}
