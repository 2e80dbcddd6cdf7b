package io.quiver.server;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Locale;

/**
 * Access log: one line per request through {@link System.Logger} {@value #LOGGER}, as
 * {@code method=POST path=/collections/docs/points/query status=200 duration_ms=1.234 bytes_out=612
 * remote=127.0.0.1:50211}, where {@code bytes_out} counts the status line and headers too. The path is the raw
 * (still percent-encoded) path without its query string; request headers (API keys travel there) and bodies are never
 * logged. The level is {@code INFO} unless the system property {@value #LEVEL_PROPERTY} names another
 * {@link System.Logger.Level} ({@code OFF} turns the log off); the logging configuration can also silence logger
 * {@value #LOGGER}.
 */
public final class RequestLog implements Filter {
  public static final String LOGGER = "io.quiver.server.requests";

  private final System.Logger log;
  private final System.Logger.Level level;

  /** Logs at {@code level} ({@code service.request_log_level}; {@code OFF} disables the log). */
  public RequestLog(System.Logger.Level level) {
    this(System.getLogger(LOGGER), level);
  }

  RequestLog(System.Logger log, System.Logger.Level level) {
    this.log = log;
    this.level = level;
  }

  public System.Logger.Level level() {
    return level;
  }

  @Override
  public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    if (level == System.Logger.Level.OFF || !log.isLoggable(level)) {
      chain.proceed();
      return;
    }
    long start = System.nanoTime();
    boolean failed = true;
    try {
      chain.proceed();
      failed = false;
    } finally {
      long nanos = System.nanoTime() - start;
      int status = failed && !res.isSent() ? 500 : res.status().code();
      log.log(level, line(req.prologue().method().text(), req.prologue().uriPath().rawPath(), status, nanos,
          res.bytesWritten(), req.remotePeer().host() + ":" + req.remotePeer().port()));
    }
  }

  public static String line(String method, String rawPath, int status, long nanos, long bytesOut, String remote) {
    return "method=" + printable(method) + " path=" + printable(rawPath) + " status=" + status
        + " duration_ms=" + String.format(Locale.ROOT, "%.3f", nanos / 1e6) + " bytes_out=" + bytesOut
        + " remote=" + remote;
  }

  /** Keeps one request on one line whatever its path holds. */
  private static String printable(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch <= ' ' || ch == 0x7f) {
        if (b == null) {
          b = new StringBuilder(s.substring(0, i));
        }
        b.append(String.format(Locale.ROOT, "%%%02X", (int) ch));
      } else if (b != null) {
        b.append(ch);
      }
    }
    return b == null ? s : b.toString();
  }
}
