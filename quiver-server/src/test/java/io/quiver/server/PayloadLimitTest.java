package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayloadLimitTest {
  @TempDir Path dir;

  @Test
  void thePayloadLimitIsConfigurableAndKeptByTheCollectionsCreatedUnderIt() throws Exception {
    Path yaml = Files.writeString(dir.resolve("q.yaml"), "service:\n  max_payload_size_kb: 2\n");
    assertThat(ServerConfigLoader.load(yaml, Map.of()).build().maxPayloadBytes()).isEqualTo(2048);
    assertThat(ServerConfigLoader.load(null, Map.of("QUIVER__SERVICE__MAX_PAYLOAD_SIZE_KB", "4")).build()
        .maxPayloadBytes()).isEqualTo(4096);
    assertThat(ServerConfigLoader.load(null, Map.of()).build().maxPayloadBytes()).isEqualTo(1 << 20);

    ServerConfig config = ServerConfigLoader.load(yaml, Map.of()).host("127.0.0.1").port(0).build();
    String big = "x".repeat(3000);
    try (ServerHarness s = new ServerHarness(dir, config)) {
      s.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
      s.ok("PUT", "/collections/c/points?wait=true",
          "{\"points\":[{\"id\":1,\"vector\":[1,2],\"payload\":{\"s\":\"" + "x".repeat(1000) + "\"}}]}");
      assertThat(s.error("PUT", "/collections/c/points?wait=true",
          "{\"points\":[{\"id\":2,\"vector\":[1,2],\"payload\":{\"s\":\"" + big + "\"}}]}", 400)).contains("2048");
      assertThat(s.db.collection("c").config().maxPayloadBytes()).isEqualTo(2048);
    }
  }
}
