package io.quiver.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code Origin} check of the MCP endpoint, against DNS rebinding: a page on another site whose name was
 * re-pointed at this server sends its own origin, and the browser treats the request as same-origin, so CORS alone
 * would not stop it. Accepted: no {@code Origin} (clients that are not browsers: Claude Code, SDKs, curl), an origin
 * listed by name in {@code service.cors_allowed_origins} (the {@code "*"} wildcard does not count here), and pages on
 * this machine's loopback names (localhost, 127.0.0.1, [::1]).
 */
final class McpOrigins {
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private McpOrigins() {}

  static boolean allowed(String origin, ServerConfig.Cors cors) {
    if (origin == null) {
      return true;
    }
    if (cors.enabled() && cors.allowedOrigins().contains(origin)) {
      return true;
    }
    try {
      URI uri = new URI(origin);
      String scheme = uri.getScheme();
      String host = uri.getHost();
      return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) && host != null
          && LOOPBACK.contains(host.toLowerCase(Locale.ROOT));
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
