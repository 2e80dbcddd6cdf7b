package io.quiver.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The scenarios' requests over Qdrant's REST API: {@code POST /points/query} (prepared JSON bodies, the exact ones
 * made on demand), {@code GET /}, and {@code PUT /points?wait=true} batches made when they are sent.
 */
final class RestWorkload implements Workload {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String FILTER_JSON = "{\"must\":[{\"key\":\"group\",\"match\":{\"value\":\"g3\"}}]}";

  /** Request {@code q}'s body, or its exact-search variant. */
  @FunctionalInterface
  private interface Bodies {
    byte[] body(int q, boolean exact);
  }

  private final HttpTransport http;
  private final String method;
  private final String path;
  private final int size;
  private final Bodies bodies;

  private RestWorkload(HttpTransport http, String method, String path, int size, Bodies bodies) {
    this.http = http;
    this.method = method;
    this.path = path;
    this.size = size;
    this.bodies = bodies;
  }

  /** The pool's queries: {@code limit} neighbours at {@code params.hnsw_ef}, with the 10% filter if asked. */
  static RestWorkload search(HttpTransport http, String collection, LoadSettings s, float[][] pool, boolean filtered) {
    byte[][] prepared = new byte[pool.length][];
    for (int q = 0; q < pool.length; q++) {
      prepared[q] = queryBody(pool[q], s, filtered, false);
    }
    return new RestWorkload(http, "POST", "/collections/" + collection + "/points/query", pool.length,
        (q, exact) -> exact ? queryBody(pool[q], s, filtered, true) : prepared[q]);
  }

  static RestWorkload ping(HttpTransport http) {
    return new RestWorkload(http, "GET", "/", 1, (q, exact) -> null);
  }

  /** Batch {@code q} is points {@code q * batch ..} of {@code data}, with wait=true. */
  static RestWorkload upsert(HttpTransport http, String collection, SyntheticVectors data, int points, int batch) {
    return new RestWorkload(http, "PUT", "/collections/" + collection + "/points?wait=true",
        (points + batch - 1) / batch, (q, exact) -> upsertBody(data, q * batch, Math.min(points, (q + 1) * batch)));
  }

  /** Points {@code from..to-1} with payload {@code {"group": "g<i % 10>", "n": i}} as an upsert body. */
  static byte[] upsertBody(SyntheticVectors data, int from, int to) {
    StringBuilder sb = new StringBuilder((to - from) * (data.dim() * 11 + 48)).append("{\"points\":[");
    for (int i = from; i < to; i++) {
      if (i > from) {
        sb.append(',');
      }
      sb.append("{\"id\":").append(i).append(",\"vector\":");
      SyntheticVectors.appendJson(sb, data.point(i));
      sb.append(",\"payload\":{\"group\":\"g").append(i % 10).append("\",\"n\":").append(i).append("}}");
    }
    return HttpTransport.body(sb.append("]}").toString());
  }

  private static byte[] queryBody(float[] v, LoadSettings s, boolean filtered, boolean exact) {
    StringBuilder sb = new StringBuilder(v.length * 11 + 160).append("{\"query\":");
    SyntheticVectors.appendJson(sb, v).append(",\"limit\":").append(s.limit()).append(",\"params\":{");
    if (exact) {
      sb.append("\"exact\":true");
    } else {
      sb.append("\"hnsw_ef\":").append(s.ef());
    }
    sb.append('}');
    if (filtered) {
      sb.append(",\"filter\":").append(FILTER_JSON);
    }
    return HttpTransport.body(sb.append('}').toString());
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Connection open() {
    HttpTransport.Connection c = http.open();
    return new Connection() {
      @Override
      public Reply send(int q, boolean exact, boolean wantIds) throws IOException, InterruptedException {
        HttpTransport.Response r = c.send(method, path, bodies.body(q, exact));
        if (r.status() != 200) {
          return Reply.failed("HTTP " + r.status() + ": " + r.abbreviatedText());
        }
        return wantIds ? Reply.ids(ids(r)) : Reply.OK;
      }

      @Override
      public void close() {
        c.close();
      }
    };
  }

  private static long[] ids(HttpTransport.Response r) throws IOException {
    JsonNode pts = JSON.readTree(r.body()).path("result").path("points");
    long[] ids = new long[pts.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = pts.get(i).path("id").asLong(-1);
    }
    return ids;
  }
}
