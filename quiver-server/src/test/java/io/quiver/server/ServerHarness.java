package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.Quiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

/** A database and a server on a loopback port, with calls that check Qdrant's envelope. */
final class ServerHarness implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  final Path dir;
  final Quiver db;
  QuiverServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  record Reply(int status, JsonNode body, HttpResponse<String> raw) {}

  ServerHarness(Path dir, ServerConfig config) throws Exception {
    this.dir = dir;
    this.db = Quiver.open(dir.resolve("db"));
    this.server = QuiverServer.start(db, config);
  }

  ServerHarness(Path dir) throws Exception {
    this(dir, ServerConfig.builder().host("127.0.0.1").port(0).build());
  }

  Reply call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode node = r.body().isEmpty() ? null : JSON.readTree(r.body());
    return new Reply(r.statusCode(), node, r);
  }

  JsonNode ok(String method, String path, String body) throws Exception {
    Reply r = call(method, path, body);
    assertThat(r.status()).as(method + " " + path + " -> " + r.body()).isEqualTo(200);
    assertThat(r.body().get("status").asText()).isEqualTo("ok");
    return r.body().get("result");
  }

  /** The error message of a reply that must have {@code status}. */
  String error(String method, String path, String body, int status) throws Exception {
    Reply r = call(method, path, body);
    assertThat(r.status()).as(method + " " + path + " -> " + r.body()).isEqualTo(status);
    assertThat(r.body().get("result")).isNull();
    return r.body().get("status").get("error").asText();
  }

  @Override
  public void close() throws Exception {
    server.close();
    db.close();
  }
}
