package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/** A bare streamable-HTTP MCP client for tests: POST/DELETE/GET with chosen headers, JSON bodies parsed. */
final class McpHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ACCEPT_BOTH = "application/json, text/event-stream";

  private final HttpClient http = HttpClient.newHttpClient();
  private final String url;
  /** Headers sent with every call (keys, session id, protocol version); a null value removes one. */
  final Map<String, String> headers = new LinkedHashMap<>();

  record Reply(int status, String body, HttpResponse<String> raw) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  McpHttp(int port, String path) {
    this.url = "http://127.0.0.1:" + port + path;
    headers.put("Accept", ACCEPT_BOTH);
    headers.put("Content-Type", "application/json");
  }

  Reply send(String method, String body, Map<String, String> extra) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.putAll(extra);
    all.forEach((k, v) -> {
      if (v != null) {
        b.header(k, v);
      }
    });
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body(), r);
  }

  Reply post(String body) throws Exception {
    return send("POST", body, Map.of());
  }

  /** Initializes at {@code version} and remembers the session id and version for later calls. */
  JsonNode initialize(String version) throws Exception {
    Reply r = post(initializeBody(1, version));
    if (r.status() != 200) {
      throw new AssertionError("initialize -> " + r.status() + " " + r.body());
    }
    headers.put("Mcp-Session-Id", r.header("Mcp-Session-Id"));
    headers.put("MCP-Protocol-Version", r.json().at("/result/protocolVersion").asText());
    return r.json();
  }

  static String initializeBody(int id, String version) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
        + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}";
  }

  static String request(int id, String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\""
        + (params == null ? "" : ",\"params\":" + params) + "}";
  }

  static String notification(String method) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\"}";
  }

  static String call(int id, String tool, String args) {
    return request(id, "tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + args + "}");
  }
}
