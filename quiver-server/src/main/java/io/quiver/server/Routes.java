package io.quiver.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The route patterns and their methods, to answer 405 (with {@code Allow}) when a path exists for other methods only.
 * A pattern with a literal segment where another has a parameter is the more specific one:
 * {@code GET /collections/x/points/query} is a POST-only endpoint, not point id "query".
 */
final class Routes {
  private record Route(String method, String[] segments, int literals) {}

  private final List<Route> routes = new ArrayList<>();
  private final HttpRouting.Builder routing;
  private final Endpoints ep;

  Routes(HttpRouting.Builder routing, Endpoints ep) {
    this.routing = routing;
    this.ep = ep;
  }

  void get(String pattern, Handler h) {
    add(Method.GET, pattern, h);
  }

  void post(String pattern, Handler h) {
    add(Method.POST, pattern, h);
  }

  void put(String pattern, Handler h) {
    add(Method.PUT, pattern, h);
  }

  void delete(String pattern, Handler h) {
    add(Method.DELETE, pattern, h);
  }

  void patch(String pattern, Handler h) {
    add(Method.PATCH, pattern, h);
  }

  /** Answers what no route matched: 405 when the path exists for other methods, else 404. Register last. */
  void fallback() {
    routing.any(this::unmatched);
  }

  /**
   * Serves {@code method} at {@code pattern} ({@code {name}} segments match any one segment). When the last segment is
   * a point id, a literal sibling of another method may own the path ({@code GET /points/query}): then 405, not this
   * handler. Only point ids: they are numbers or UUIDs, never such a literal, while a collection, field or snapshot
   * may be named like one (a collection called {@code aliases} is served at {@code /collections/aliases}).
   */
  private void add(Method method, String pattern, Handler h) {
    record(method.text(), pattern);
    routing.route(method, pattern, pattern.endsWith("/{id}") ? unlessShadowed(method.text(), h) : h);
  }

  private void record(String method, String pattern) {
    String[] segments = pattern.substring(1).split("/", -1);
    int literals = 0;
    for (String s : segments) {
      literals += s.startsWith("{") ? 0 : 1;
    }
    routes.add(new Route(method, segments, literals));
  }

  /** The methods of the most specific patterns matching {@code path}; empty when none matches. */
  Set<String> allowed(String path) {
    String[] parts = path.substring(1).split("/", -1);
    Set<String> out = new TreeSet<>();
    int best = -1;
    for (Route r : routes) {
      if (r.literals < best || !matches(r.segments, parts)) {
        continue;
      }
      if (r.literals > best) {
        out.clear();
        best = r.literals;
      }
      out.add(r.method);
    }
    return out;
  }

  private static boolean matches(String[] pattern, String[] parts) {
    if (pattern.length != parts.length) {
      return false;
    }
    for (int i = 0; i < pattern.length; i++) {
      if (!pattern[i].startsWith("{") && !pattern[i].equals(parts[i])) {
        return false;
      }
    }
    return true;
  }

  /** {@code handler}, unless a more specific pattern of another method owns the request's path: then 405. */
  private Handler unlessShadowed(String method, Handler handler) {
    return (req, res) -> {
      Set<String> allowed = allowed(req.path().path());
      if (!allowed.isEmpty() && !allowed.contains(method)) {
        methodNotAllowed(req, res, allowed);
      } else {
        handler.handle(req, res);
      }
    };
  }

  private void unmatched(ServerRequest req, ServerResponse res) {
    Set<String> allowed = allowed(req.path().path());
    if (allowed.isEmpty()) {
      ep.sendError(res, 404, "Not found: " + req.prologue().method().text() + " " + req.path().path()
          + " is not an endpoint", System.nanoTime());
    } else {
      methodNotAllowed(req, res, allowed);
    }
  }

  private void methodNotAllowed(ServerRequest req, ServerResponse res, Set<String> allowed) {
    res.header(HeaderNames.ALLOW, String.join(", ", allowed));
    ep.sendError(res, 405, "Method Not Allowed: " + req.prologue().method().text() + " " + req.path().path()
        + " (allowed: " + String.join(", ", allowed) + ")", System.nanoTime());
  }
}
