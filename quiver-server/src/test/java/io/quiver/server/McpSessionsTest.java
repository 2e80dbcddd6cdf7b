package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.agent.mcp.McpDispatcher;
import io.quiver.agent.mcp.McpSession;
import io.quiver.agent.mcp.ServerInfo;
import io.quiver.agent.mcp.ToolCatalog;
import io.quiver.agent.mcp.ToolRegistry;
import io.quiver.testing.RandomizedTest;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Session ids, idle expiry and the session cap, on a clock the test moves. */
@ExtendWith(RandomizedTest.SeedReporter.class)
class McpSessionsTest extends RandomizedTest {
  private final McpDispatcher dispatcher = new McpDispatcher(ToolRegistry.builder(ToolCatalog.agentDb()).build(),
      ServerInfo.quiver(null));

  @Test
  void idleSessionsExpireAndUseKeepsThemAlive() {
    AtomicLong now = new AtomicLong(random().nextLong(1_000_000));
    long idle = Duration.ofMinutes(10).toNanos();
    McpSessions s = new McpSessions(Duration.ofNanos(idle), 100, now::get);
    McpSession a = dispatcher.newSession();
    String id = s.add(a);
    int steps = atLeast(5);
    for (int i = 0; i < steps; i++) {
      now.addAndGet(idle - 1 - random().nextInt(1000));
      assertThat(s.use(id)).isSameAs(a);
    }
    now.addAndGet(idle);
    assertThat(s.use(id)).isNull();
    assertThat(s.size()).isZero();
    assertThat(s.remove(id)).isFalse();
  }

  @Test
  void idsAreDistinctVisibleAscii() {
    McpSessions s = new McpSessions(Duration.ofHours(1), 100_000, System::nanoTime);
    Set<String> ids = new HashSet<>();
    int n = atLeast(200);
    for (int i = 0; i < n; i++) {
      String id = s.add(dispatcher.newSession());
      assertThat(id).matches("[\\x21-\\x7E]{22}");
      assertThat(ids.add(id)).isTrue();
    }
    assertThat(s.size()).isEqualTo(n);
  }

  @Test
  void theCapEndsTheLeastRecentlyUsed() {
    AtomicLong now = new AtomicLong();
    int max = 2 + random().nextInt(5);
    McpSessions s = new McpSessions(Duration.ofHours(1), max, now::get);
    String[] ids = new String[max];
    for (int i = 0; i < max; i++) {
      now.incrementAndGet();
      ids[i] = s.add(dispatcher.newSession());
    }
    now.incrementAndGet();
    s.use(ids[0]); // the oldest is now the most recently used
    now.incrementAndGet();
    s.add(dispatcher.newSession());
    assertThat(s.size()).isEqualTo(max);
    assertThat(s.use(ids[1])).isNull();
    assertThat(s.use(ids[0])).isNotNull();
    for (int i = 2; i < max; i++) {
      assertThat(s.use(ids[i])).isNotNull();
    }
  }
}
