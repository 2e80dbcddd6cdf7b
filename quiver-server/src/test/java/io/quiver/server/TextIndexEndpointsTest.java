package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Full-text indexes and filters in Qdrant's REST shapes: creation, echo in collection info, filters, bad input. */
class TextIndexEndpointsTest {
  @TempDir Path dir;

  private static final String POINTS = """
      {"points": [
        {"id": 1, "vector": [1, 0], "payload": {"body": "The quick brown fox jumps", "title": "Foxes"}},
        {"id": 2, "vector": [0, 1], "payload": {"body": "Running cats and a brown dog", "title": "Cats"}},
        {"id": 3, "vector": [1, 1], "payload": {"body": ["brown", "quick cat"], "title": "Mixed"}},
        {"id": 4, "vector": [1, 2], "payload": {"body": "Crème brûlée recipes", "title": "Café food"}}]}""";

  private static List<Integer> ids(JsonNode scroll) {
    List<Integer> out = new ArrayList<>();
    scroll.get("points").forEach(p -> out.add(p.get("id").asInt()));
    return out;
  }

  private static List<Integer> scroll(ServerHarness s, String match) throws Exception {
    return ids(s.ok("POST", "/collections/c/points/scroll",
        "{\"limit\": 10, \"filter\": {\"must\": [" + match + "]}}"));
  }

  @Test
  void textIndexCreationEchoAndFilters() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", "{\"vectors\": {\"size\": 2, \"distance\": \"Dot\"}}");
      s.ok("PUT", "/collections/c/points?wait=true", POINTS);
      // without an index: Qdrant's substring fallback, case-sensitive
      assertThat(scroll(s, "{\"key\": \"body\", \"match\": {\"text\": \"rown\"}}")).containsExactly(1, 2, 3);
      assertThat(scroll(s, "{\"key\": \"body\", \"match\": {\"text\": \"running\"}}")).isEmpty();
      assertThat(scroll(s, "{\"key\": \"body\", \"match\": {\"text_any\": \"jumps dog\"}}")).containsExactly(1, 2);
      s.ok("PUT", "/collections/c/index?wait=true", """
          {"field_name": "body", "field_schema": {"type": "text", "tokenizer": "word", "lowercase": true,
           "ascii_folding": true, "phrase_matching": true, "stopwords": "english",
           "stemmer": {"type": "snowball", "language": "english"}}}""");
      s.ok("PUT", "/collections/c/index?wait=true", "{\"field_name\": \"title\", \"field_schema\": \"text\"}");
      JsonNode info = s.ok("GET", "/collections/c", null);
      JsonNode body = info.at("/payload_schema/body");
      assertThat(body.get("data_type").asText()).isEqualTo("text");
      assertThat(body.at("/params/tokenizer").asText()).isEqualTo("word");
      assertThat(body.at("/params/stopwords").asText()).isEqualTo("english");
      assertThat(body.at("/params/stemmer/language").asText()).isEqualTo("english");
      assertThat(body.at("/params/phrase_matching").asBoolean()).isTrue();
      assertThat(info.at("/payload_schema/title/params").toString()).isEqualTo("{\"type\":\"text\"}");

      assertThat(scroll(s, "{\"key\": \"body\", \"match\": {\"text\": \"RUN cat\"}}")).containsExactly(2);
      assertThat(scroll(s, "{\"key\": \"body\", \"match\": {\"text\": \"quick cats\"}}"))
          .as("tokens pooled over an array's elements").containsExactly(3);
      assertThat(scroll(s, "{\"key\": \"body\", \"match\": {\"text_any\": \"fox creme\"}}")).containsExactly(1, 4);
      assertThat(scroll(s, "{\"key\": \"body\", \"match\": {\"phrase\": \"brown foxes\"}}")).containsExactly(1);
      assertThat(scroll(s, "{\"key\": \"body\", \"match\": {\"phrase\": \"fox brown\"}}")).isEmpty();
      assertThat(scroll(s, "{\"key\": \"body\", \"match\": {\"text\": \"the\"}}")).as("only stop words").isEmpty();
      assertThat(scroll(s, "{\"key\": \"title\", \"match\": {\"text\": \"CAFÉ\"}}")).containsExactly(4);
      JsonNode count = s.ok("POST", "/collections/c/points/count",
          "{\"exact\": true, \"filter\": {\"must_not\": [{\"key\": \"body\", \"match\": {\"text\": \"brown\"}}]}}");
      assertThat(count.get("count").asInt()).isEqualTo(1);
      JsonNode hits = s.ok("POST", "/collections/c/points/query", """
          {"query": [1, 0], "limit": 5,
           "filter": {"must": [{"key": "body", "match": {"text_any": "dog fox"}}]}}""");
      List<Integer> found = new ArrayList<>();
      hits.get("points").forEach(p -> found.add(p.get("id").asInt()));
      assertThat(found).containsExactly(1, 2);
    }
  }

  @Test
  void malformedTextIndexesAndFiltersAre400sNamingThePathAndChangeNothing() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", "{\"vectors\": {\"size\": 2, \"distance\": \"Dot\"}}");
      s.ok("PUT", "/collections/c/points?wait=true", POINTS);
      assertThat(s.error("PUT", "/collections/c/index", """
          {"field_name": "body", "field_schema": {"type": "text", "tokenizer": "ngram"}}""", 400))
          .contains("body.field_schema.tokenizer: unknown tokenizer 'ngram'");
      assertThat(s.error("PUT", "/collections/c/index", """
          {"field_name": "body", "field_schema": {"type": "text", "min_token_len": 5, "max_token_len": 2}}""", 400))
          .contains("body.field_schema: min_token_len (5) must not exceed max_token_len (2)");
      assertThat(s.error("PUT", "/collections/c/index", """
          {"field_name": "body", "field_schema": {"type": "text", "stopwords": "klingon"}}""", 400))
          .contains("body.field_schema.stopwords: no stop word list for 'klingon'");
      assertThat(s.error("PUT", "/collections/c/index", """
          {"field_name": "body", "field_schema": {"type": "text",
           "stemmer": {"type": "snowball", "language": "latin"}}}""", 400))
          .contains("body.field_schema.stemmer.language: unknown language 'latin'");
      assertThat(s.error("PUT", "/collections/c/index", """
          {"field_name": "body", "field_schema": {"type": "text", "phrase_matching": "yes"}}""", 400))
          .contains("body.field_schema.phrase_matching: expected true or false");
      assertThat(s.ok("GET", "/collections/c", null).get("payload_schema")).isEmpty();
      assertThat(s.error("POST", "/collections/c/points/scroll",
          "{\"filter\": {\"must\": [{\"key\": \"body\", \"match\": {\"text\": 3}}]}}", 400))
          .contains("filter.must[0].match.text: expected a string");
      assertThat(s.error("POST", "/collections/c/points/scroll",
          "{\"filter\": {\"must\": [{\"key\": \"body\", \"match\": {\"phrase\": \"a\", \"text\": \"b\"}}]}}", 400))
          .contains("match");
    }
  }

  @Test
  void aPhraseFilterOnAnIndexWithoutPhraseMatchingChecksThePayloads() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", "{\"vectors\": {\"size\": 2, \"distance\": \"Dot\"}}");
      s.ok("PUT", "/collections/c/points?wait=true", POINTS);
      s.ok("PUT", "/collections/c/index?wait=true", "{\"field_name\": \"body\", \"field_schema\": \"text\"}");
      assertThat(scroll(s, "{\"key\": \"body\", \"match\": {\"phrase\": \"quick brown\"}}")).containsExactly(1);
      assertThat(scroll(s, "{\"key\": \"body\", \"match\": {\"phrase\": \"brown quick\"}}")).isEmpty();
    }
  }
}
