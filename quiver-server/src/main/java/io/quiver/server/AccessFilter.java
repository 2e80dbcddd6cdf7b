package io.quiver.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runs before every route: answers CORS preflights, checks API keys (Qdrant's {@code api-key} header or
 * {@code Authorization: Bearer}), refuses writes made with the read-only key, and rate-limits per key. Keys are
 * compared in constant time and never logged.
 */
final class AccessFilter implements Filter {
  static final HeaderName API_KEY = HeaderNames.create("api-key");
  private static final HeaderName ALLOW_ORIGIN = HeaderNames.create("Access-Control-Allow-Origin");
  private static final HeaderName ALLOW_METHODS = HeaderNames.create("Access-Control-Allow-Methods");
  private static final HeaderName ALLOW_HEADERS = HeaderNames.create("Access-Control-Allow-Headers");
  private static final HeaderName REQUEST_METHOD = HeaderNames.create("Access-Control-Request-Method");
  private static final HeaderName REQUEST_HEADERS = HeaderNames.create("Access-Control-Request-Headers");
  private static final HeaderName MAX_AGE = HeaderNames.create("Access-Control-Max-Age");
  private static final HeaderName RETRY_AFTER = HeaderNames.create("Retry-After");
  /** Probes answer without a key, as in Qdrant, so orchestrators need no secret; {@code /} tells only the version. */
  private static final Set<String> OPEN_PATHS = Set.of("/", "/healthz", "/livez", "/readyz");
  /** POST endpoints that only read; every other POST, PUT, PATCH and DELETE writes. */
  private static final Pattern READ_POSTS = Pattern.compile("(/quiver/collections/[^/]+/points/explain)|"
      + "(/collections/[^/]+/facet)|/collections/[^/]+/points"
      + "(/search(/batch|/groups|/matrix/pairs|/matrix/offsets)?|/query(/batch|/groups)?|/scroll|/count"
      + "|/recommend(/batch|/groups)?|/discover(/batch)?|/facet)?"
      + "|/quiver/agent/(episodes/(retrieve|search)|skills/search|patterns/search|causal/(query|traverse|estimate)"
      + "|recall|learning/(predict|metrics|explain|reward))");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerConfig config;
  private final byte[] apiKey;
  private final byte[] readOnlyApiKey;
  private final RateLimiter rateLimiter;

  AccessFilter(ServerConfig config, RateLimiter rateLimiter) {
    this.config = config;
    this.rateLimiter = rateLimiter;
    this.apiKey = bytes(config.apiKey());
    this.readOnlyApiKey = bytes(config.readOnlyApiKey());
  }

  private static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Marks a request made with the read-only key (in the request's context). The MCP endpoint lets that key through
   * and refuses it the writing tools itself, since one POST there may read or write.
   */
  record ReadOnlyKey() {}

  /** Whether {@code method path} only reads (allowed to the read-only key, subject to the read timeout). */
  static boolean isRead(Method method, String path) {
    if (method == Method.GET || method == Method.HEAD || method == Method.OPTIONS) {
      return true;
    }
    return method == Method.POST && READ_POSTS.matcher(path).matches();
  }

  @Override
  public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    long start = System.nanoTime();
    String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
    boolean corsAllowed = origin != null && config.cors().allows(origin);
    if (corsAllowed) {
      res.header(ALLOW_ORIGIN, config.cors().allowedOrigins().contains("*") ? "*" : origin);
      res.header(HeaderNames.VARY, "Origin");
    }
    Method method = req.prologue().method();
    if (method == Method.OPTIONS && req.headers().contains(REQUEST_METHOD)) {
      // A browser's preflight carries no credentials: answer it here, before authentication.
      if (corsAllowed) {
        res.header(ALLOW_METHODS, "GET, POST, PUT, PATCH, DELETE, OPTIONS");
        res.header(ALLOW_HEADERS, req.headers().first(REQUEST_HEADERS).orElse("content-type, api-key, authorization"));
        res.header(MAX_AGE, "3600");
      }
      res.status(Status.NO_CONTENT_204).send();
      return;
    }
    String path = req.path().path();
    String identity;
    if (!config.authEnabled() || OPEN_PATHS.contains(path)) {
      identity = OPEN_PATHS.contains(path) ? null : "addr:" + req.remotePeer().host();
    } else {
      String presented = presentedKey(req);
      if (presented == null) {
        reject(res, 401, "Unauthorized: Must provide an API key or an Authorization bearer token", start);
        return;
      }
      byte[] p = presented.getBytes(StandardCharsets.UTF_8);
      if (apiKey != null && MessageDigest.isEqual(p, apiKey)) {
        identity = "key:full";
      } else if (readOnlyApiKey != null && MessageDigest.isEqual(p, readOnlyApiKey)) {
        if (!isRead(method, path) && !mcpDecides(method, path)) {
          reject(res, 403, "Forbidden: the read-only API key cannot " + method.text() + " " + path, start);
          return;
        }
        identity = "key:read-only";
        req.context().register(new ReadOnlyKey());
      } else {
        reject(res, 401, "Unauthorized: Invalid API key or JWT", start);
        return;
      }
    }
    if (identity != null && config.rateLimitPerSecond() > 0) {
      double waitSeconds = rateLimiter.take(identity);
      if (waitSeconds > 0) {
        res.header(RETRY_AFTER, String.valueOf((long) Math.ceil(waitSeconds)));
        reject(res, 429, "Too many requests: rate limit of " + config.rateLimitPerSecond()
            + " requests/s exceeded; retry after " + Math.ceil(waitSeconds) + " s", start);
        return;
      }
    }
    chain.proceed();
  }

  /** The MCP endpoint's POST and DELETE: it decides per tool what the read-only key may do. */
  private boolean mcpDecides(Method method, String path) {
    return config.mcp().enabled() && path.equals(config.mcp().path())
        && (method == Method.POST || method == Method.DELETE);
  }

  private static String presentedKey(RoutingRequest req) {
    var key = req.headers().first(API_KEY);
    if (key.isPresent()) {
      return key.get();
    }
    var auth = req.headers().first(HeaderNames.AUTHORIZATION);
    if (auth.isPresent() && auth.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.get().substring(7).trim();
    }
    return null;
  }

  private static void reject(RoutingResponse res, int status, String message, long start) {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("status").put("error", message);
    body.put("time", (System.nanoTime() - start) / 1e9);
    res.status(Status.create(status));
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    if (status == 401) {
      res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
    }
    res.send(body.toString().getBytes(StandardCharsets.UTF_8));
  }
}
