package io.quiver.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.text.TextIndexParams.Stopwords;
import io.quiver.text.TextIndexParams.Tokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextAnalyzerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TextAnalyzer analyzer(TextIndexParams.Builder b) {
    return new TextAnalyzer(b.build());
  }

  @Test
  void wordTokenizerSplitsWhereQdrantDoesAndLowercases() {
    TextAnalyzer a = new TextAnalyzer(TextIndexParams.DEFAULT);
    assertThat(a.words("Hello, world! Привет, мир! don't x2 3.14 ½")).containsExactly("hello", "world", "привет", "мир",
        "don", "t", "x2", "3", "14", "½");
    assertThat(a.queryTokens("HELLO")).containsExactly("hello");
    assertThat(analyzer(TextIndexParams.builder().lowercase(false)).words("Hello World"))
        .containsExactly("Hello", "World");
  }

  @Test
  void whitespaceAndMultilingualTokenizers() {
    assertThat(analyzer(TextIndexParams.builder().tokenizer(Tokenizer.WHITESPACE)).words("don't\u00A0stop  me-now"))
        .as("Unicode white space, NBSP included").containsExactly("don't", "stop", "me-now");
    assertThat(analyzer(TextIndexParams.builder().tokenizer(Tokenizer.MULTILINGUAL)).words("What's up? 今天"))
        .containsExactly("what's", "up", "今", "天");
  }

  @Test
  void stopWordsStemmingAndFolding() {
    TextAnalyzer a = analyzer(TextIndexParams.builder().stopwords(Stopwords.of("english")).stemmer("english"));
    assertThat(a.words("The cats are running to the gardens")).containsExactly("cat", "run", "garden");
    TextAnalyzer custom = analyzer(TextIndexParams.builder()
        .stopwords(new Stopwords(List.of("english"), List.of("Running"))));
    assertThat(custom.words("the cats running")).as("custom words are lowercased with the tokens")
        .containsExactly("cats");
    TextAnalyzer folded = analyzer(TextIndexParams.builder().asciiFolding(true));
    assertThat(folded.words("Ação Crème brûlée")).containsExactly("acao", "creme", "brulee");
    TextAnalyzer german = analyzer(TextIndexParams.builder().stopwords(Stopwords.of("german")).asciiFolding(true));
    assertThat(german.words("für Häuser")).as("stop words are removed before folding").containsExactly("hauser");
    assertThat(analyzer(TextIndexParams.builder().stemmer("german")).words("Häuser")).containsExactly("haus");
  }

  @Test
  void lengthBoundsDropTokens() {
    TextAnalyzer a = analyzer(TextIndexParams.builder().minTokenLen(2).maxTokenLen(4));
    assertThat(a.words("a bb cccc ddddd ééé")).containsExactly("bb", "cccc", "ééé");
    assertThat(a.queryTokens("a bb ddddd")).containsExactly("bb");
  }

  @Test
  void prefixTokenizerIndexesPrefixesAndTruncatesQueries() {
    TextAnalyzer a = analyzer(TextIndexParams.builder().tokenizer(Tokenizer.PREFIX).minTokenLen(2).maxTokenLen(4)
        .stopwords(Stopwords.of("english")));
    assertThat(a.indexTokens("Hello, мир! the x")).containsExactly("he", "hel", "hell", "ми", "мир");
    assertThat(a.words("Hello, мир! the x")).containsExactly("hell", "мир");
    assertThat(a.queryTokens("hel the helloworld x")).as("queries keep stop words, drop short words, truncate")
        .containsExactly("hel", "the", "hell");
  }

  @Test
  void jsonRoundTripsAndEchoesOnlyWhatWasSet() throws Exception {
    JsonNode given = JSON.readTree("""
        {"type": "text", "tokenizer": "prefix", "min_token_len": 2, "max_token_len": 10, "lowercase": true,
         "ascii_folding": true, "phrase_matching": true, "stopwords": {"languages": ["english", "french"],
         "custom": ["foo"]}, "stemmer": {"type": "snowball", "language": "english"}, "on_disk": false}""");
    TextIndexParams p = TextIndexParamsJson.parse(given, "body.field_schema");
    assertThat(p.tokenizer()).isEqualTo(Tokenizer.PREFIX);
    assertThat(p.stopwords().languages()).containsExactly("english", "french");
    assertThat(TextIndexParamsJson.parse(TextIndexParamsJson.write(p), "x")).isEqualTo(p);
    assertThat(TextIndexParamsJson.write(TextIndexParams.DEFAULT).toString()).isEqualTo("{\"type\":\"text\"}");
    TextIndexParams simple = TextIndexParamsJson.parse(JSON.readTree("""
        {"type": "text", "stopwords": "english", "stemmer": {"type": "none"}}"""), "p");
    assertThat(simple.stemmer()).isNull();
    assertThat(TextIndexParamsJson.write(simple).get("stopwords").asText()).isEqualTo("english");
  }

  @Test
  void badParametersNameTheirPath() {
    assertThatThrownBy(() -> parse("{\"type\": \"text\", \"tokenizer\": \"ngram\"}"))
        .hasMessageStartingWith("f.tokenizer: unknown tokenizer 'ngram'");
    assertThatThrownBy(() -> parse("{\"type\": \"text\", \"min_token_len\": 5, \"max_token_len\": 2}"))
        .hasMessageStartingWith("f: min_token_len (5) must not exceed max_token_len (2)");
    assertThatThrownBy(() -> parse("{\"type\": \"text\", \"min_token_len\": -1}"))
        .hasMessageStartingWith("f.min_token_len: expected a non-negative integer");
    assertThatThrownBy(() -> parse("{\"type\": \"text\", \"stopwords\": \"klingon\"}"))
        .hasMessageStartingWith("f.stopwords: no stop word list for 'klingon'");
    assertThatThrownBy(() -> parse("{\"type\": \"text\", \"stopwords\": {\"languages\": [1]}}"))
        .hasMessageStartingWith("f.stopwords.languages[0]: expected a string");
    assertThatThrownBy(() -> parse("{\"type\": \"text\", \"stemmer\": {\"type\": \"snowball\", \"language\": \"xx\"}}"))
        .hasMessageStartingWith("f.stemmer.language: unknown language 'xx'");
    assertThatThrownBy(() -> parse("{\"type\": \"text\", \"lowercase\": \"yes\"}"))
        .hasMessageStartingWith("f.lowercase: expected true or false");
    assertThatThrownBy(() -> parse("{\"type\": \"text\", \"colour\": 1}"))
        .hasMessageStartingWith("f.colour: unknown field");
  }

  private static TextIndexParams parse(String json) throws Exception {
    return TextIndexParamsJson.parse(JSON.readTree(json), "f");
  }
}
