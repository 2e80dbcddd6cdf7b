package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AliasEndpointsTest {
  @TempDir Path dir;

  @Test
  void aliasActionsApplyAllOrNone() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/a", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
      s.ok("PUT", "/collections/b", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
      s.ok("POST", "/collections/aliases", "{\"actions\":[{\"create_alias\":{\"alias_name\":\"prod\","
          + "\"collection_name\":\"a\"}}]}");
      Path file = dir.resolve("db/aliases.json");
      String before = Files.readString(file);
      // the last step fails: none of the steps before it may stay applied
      assertThat(s.error("POST", "/collections/aliases", "{\"actions\":["
          + "{\"create_alias\":{\"alias_name\":\"prod\",\"collection_name\":\"b\"}},"
          + "{\"create_alias\":{\"alias_name\":\"staging\",\"collection_name\":\"a\"}},"
          + "{\"rename_alias\":{\"old_alias_name\":\"prod\",\"new_alias_name\":\"live\"}},"
          + "{\"delete_alias\":{\"alias_name\":\"nope\"}}]}", 404)).contains("nope");
      assertThat(s.ok("GET", "/aliases", null).toString())
          .isEqualTo("{\"aliases\":[{\"alias_name\":\"prod\",\"collection_name\":\"a\"}]}");
      assertThat(Files.readString(file)).isEqualTo(before);
      assertThat(s.error("POST", "/collections/aliases", "{\"actions\":["
          + "{\"delete_alias\":{\"alias_name\":\"prod\"}},"
          + "{\"create_alias\":{\"alias_name\":\"b\",\"collection_name\":\"a\"}}]}", 409)).contains("b");
      assertThat(s.db.aliases()).containsEntry("prod", "a").hasSize(1);

      // a valid batch sees its own earlier steps: move prod to b, then rename it
      s.ok("POST", "/collections/aliases", "{\"actions\":["
          + "{\"create_alias\":{\"alias_name\":\"prod\",\"collection_name\":\"b\"}},"
          + "{\"rename_alias\":{\"old_alias_name\":\"prod\",\"new_alias_name\":\"live\"}}]}");
      assertThat(s.db.aliases()).containsExactlyEntriesOf(java.util.Map.of("live", "b"));
      assertThat(Files.readString(file)).isEqualTo("{\"live\":\"b\"}");
    }
  }
}
