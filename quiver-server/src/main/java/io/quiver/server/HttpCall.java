package io.quiver.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;

/** A {@link Call} carried by a REST request: the body is read (once, size-limited) through {@link Endpoints}. */
record HttpCall(ServerRequest req, Endpoints ep) implements Call {
  @Override
  public String pathParam(String name) {
    var p = req.path().pathParameters();
    return p.contains(name) ? p.get(name) : null;
  }

  @Override
  public String queryParam(String name) {
    return req.query().contains(name) ? req.query().get(name) : null;
  }

  @Override
  public ObjectNode body() {
    return ep.body(req);
  }
}
