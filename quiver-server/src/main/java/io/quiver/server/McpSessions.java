package io.quiver.server;

import io.quiver.agent.mcp.McpSession;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The live MCP sessions by {@code Mcp-Session-Id}: ids are 128 random bits (base64url, visible ASCII as the transport
 * requires), so one cannot be guessed; a session unused for the idle timeout is gone, and past the maximum count the
 * session unused the longest makes room. Both are swept when a session is created, so the map never holds more than
 * the maximum.
 */
final class McpSessions {
  private static final class Entry {
    final McpSession session;
    volatile long lastUsed;

    Entry(McpSession session, long now) {
      this.session = session;
      this.lastUsed = now;
    }
  }

  private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final long idleNanos;
  private final int max;
  private final LongSupplier clock;

  McpSessions(Duration idleTimeout, int max, LongSupplier nanoClock) {
    this.idleNanos = idleTimeout.toNanos();
    this.max = max;
    this.clock = nanoClock;
  }

  McpSessions(McpHttpConfig config) {
    this(config.sessionIdleTimeout(), config.maxSessions(), System::nanoTime);
  }

  /** Keeps {@code session} and returns its new id. */
  synchronized String add(McpSession session) {
    long now = clock.getAsLong();
    sessions.values().removeIf(e -> now - e.lastUsed >= idleNanos);
    while (sessions.size() >= max) {
      sessions.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().lastUsed))
          .ifPresent(e -> sessions.remove(e.getKey()));
    }
    byte[] bytes = new byte[16];
    String id;
    do {
      random.nextBytes(bytes);
      id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } while (sessions.containsKey(id));
    sessions.put(id, new Entry(session, now));
    return id;
  }

  /** The session with {@code id}, marked used now; null when there is none or it has expired. */
  McpSession use(String id) {
    Entry e = sessions.get(id);
    if (e == null) {
      return null;
    }
    long now = clock.getAsLong();
    if (now - e.lastUsed >= idleNanos) {
      sessions.remove(id, e);
      return null;
    }
    e.lastUsed = now;
    return e.session;
  }

  /** Ends session {@code id}; false when there was none (or it had expired). */
  boolean remove(String id) {
    return use(id) != null && sessions.remove(id) != null;
  }

  int size() {
    return sessions.size();
  }
}
