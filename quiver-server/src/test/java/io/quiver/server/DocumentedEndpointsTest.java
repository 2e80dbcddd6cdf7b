package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code `METHOD /path`} that docs/server.md mentions is routed: a call with an empty JSON body may fail (400,
 * 404 for a missing collection or snapshot) but never with the router's 404 ("is not an endpoint") or a 405.
 */
class DocumentedEndpointsTest {
  private static final Pattern MENTION = Pattern.compile("`(GET|POST|PUT|DELETE|PATCH)\\s+(/[^`\\s]*)`");
  private static final Path DOC = Path.of("..", "docs", "server.md");

  @TempDir Path dir;

  record Call(String method, String path) {}

  /** The documented calls, with placeholders filled: collection "docs", point 1, other names "x". */
  static List<Call> documented() throws Exception {
    assertThat(DOC).as("docs/server.md, read from the quiver-server module directory").exists();
    Set<Call> calls = new LinkedHashSet<>();
    Matcher m = MENTION.matcher(Files.readString(DOC));
    while (m.find()) {
      String path = m.group(2).replaceAll("[.,;:]+$", "");
      if (path.startsWith("/points") || path.startsWith("/facet")) { // shorthand for a collection's endpoint
        path = "/collections/{c}" + path;
      }
      path = path.replaceFirst("^/collections/\\{[a-z_]+}", "/collections/docs")
          .replaceFirst("^/quiver/collections/\\{[a-z_]+}", "/quiver/collections/docs")
          .replace("{id}", "1").replaceAll("\\{[a-z_]+}", "x");
      calls.add(new Call(m.group(1), path));
    }
    List<Call> out = new ArrayList<>(calls);
    out.sort(Comparator.comparing((Call c) -> c.method().equals("DELETE"))); // deletes last
    return out;
  }

  @Test
  void everyDocumentedEndpointIsRouted() throws Exception {
    List<Call> calls = documented();
    assertThat(calls).as("documented endpoints").hasSizeGreaterThan(45)
        .contains(new Call("POST", "/collections/docs/points/search/matrix/pairs"),
            new Call("POST", "/collections/docs/points/search/matrix/offsets"),
            new Call("POST", "/collections/docs/points/query"));
    HttpClient http = HttpClient.newHttpClient();
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/docs", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
      s.ok("PUT", "/collections/docs/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,0]}]}");
      for (Call c : calls) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.server.port() + c.path()));
        if (c.method().equals("GET")) {
          b.GET();
        } else {
          b.method(c.method(), HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s -> %s", c.method(), c.path(), r.body()).isNotEqualTo(405);
        if (r.statusCode() == 404) {
          assertThat(r.body()).as("%s %s", c.method(), c.path()).doesNotContain("is not an endpoint");
        }
      }
    }
  }
}
