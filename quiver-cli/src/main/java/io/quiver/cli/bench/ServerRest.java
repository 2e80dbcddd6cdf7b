package io.quiver.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

/** The few calls bench-rss makes to a Quiver server: JSON bodies, the {@code result} of a 2xx answer, or an error. */
final class ServerRest {
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final ObjectMapper json;
  private final String base;

  ServerRest(int port, ObjectMapper json) {
    this.base = "http://127.0.0.1:" + port;
    this.json = json;
  }

  /** {@code method path} with a JSON body; the answer's {@code result}. */
  JsonNode send(String method, String path, byte[] body) throws IOException, InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
        .header("Content-Type", "application/json").method(method, BodyPublishers.ofByteArray(body)).build();
    return result(method + " " + path, http.send(req, BodyHandlers.ofString()));
  }

  /** GET {@code path}: the answer's {@code result}. */
  JsonNode get(String path) throws IOException, InterruptedException {
    return result("GET " + path, http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).build(),
        BodyHandlers.ofString()));
  }

  /** GET {@code path} as text (the Prometheus metrics). */
  String text(String path) throws IOException, InterruptedException {
    var resp = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).build(),
        BodyHandlers.ofString());
    if (resp.statusCode() / 100 != 2) {
      throw new IOException("GET " + path + " answered " + resp.statusCode() + ": " + resp.body());
    }
    return resp.body();
  }

  private JsonNode result(String what, HttpResponse<String> resp) throws IOException {
    if (resp.statusCode() / 100 != 2) {
      throw new IOException(what + " answered " + resp.statusCode() + ": " + abbreviated(resp.body()));
    }
    return json.readTree(resp.body()).path("result");
  }

  private static String abbreviated(String s) {
    return s.length() <= 500 ? s : s.substring(0, 500) + "...";
  }
}
