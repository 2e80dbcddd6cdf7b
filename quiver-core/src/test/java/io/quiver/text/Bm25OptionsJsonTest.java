package io.quiver.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class Bm25OptionsJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static Bm25Options parse(String json) throws Exception {
    JsonNode node = MAPPER.readTree(json);
    return Bm25OptionsJson.parse(node, "query.options");
  }

  private static void rejects(String json, String path, String message) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(TextOptionsException.class)
        .satisfies(e -> assertThat(((TextOptionsException) e).path()).isEqualTo(path))
        .hasMessageContaining(message);
  }

  @Test
  void defaultsAndNulls() throws Exception {
    assertThat(parse("null")).isEqualTo(Bm25Options.DEFAULTS);
    assertThat(parse("{}")).isEqualTo(Bm25Options.DEFAULTS);
    assertThat(parse("{\"k\": null, \"stemmer\": null}")).isEqualTo(Bm25Options.DEFAULTS);
    Bm25Options d = Bm25Options.DEFAULTS;
    assertThat(d.k()).isEqualTo(1.2);
    assertThat(d.b()).isEqualTo(0.75);
    assertThat(d.avgLen()).isEqualTo(256);
    assertThat(d.resolvedStopwords()).isEqualTo(StopWords.NLTK_ENGLISH);
    assertThat(d.resolvedStemmer()).isEqualTo(Bm25Options.Stemmer.snowball("english"));
  }

  @Test
  void everyOption() throws Exception {
    Bm25Options o = parse("""
        {"k": 1.5, "b": 0.5, "avg_len": 100, "tokenizer": "prefix", "language": "english", "lowercase": false,
         "ascii_folding": true, "stopwords": {"languages": ["english"], "custom": ["Foo"]},
         "stemmer": {"type": "snowball", "language": "french"}, "min_token_len": 2, "max_token_len": 20}""");
    assertThat(o.k()).isEqualTo(1.5);
    assertThat(o.b()).isEqualTo(0.5);
    assertThat(o.avgLen()).isEqualTo(100);
    assertThat(o.tokenizer()).isEqualTo(Bm25Options.TokenizerType.PREFIX);
    assertThat(o.lowercase()).isFalse();
    assertThat(o.asciiFolding()).isTrue();
    assertThat(o.resolvedStopwords()).contains("Foo", "the").hasSize(180);
    assertThat(o.resolvedStemmer().language()).isEqualTo("french");
    assertThat(o.minTokenLen()).hasValue(2);
    assertThat(o.maxTokenLen()).hasValue(20);
    assertThat(parse("{\"stopwords\": \"english\"}").resolvedStopwords()).hasSize(179);
    assertThat(parse("{\"stemmer\": {\"type\": \"none\"}}").resolvedStemmer()).isEqualTo(Bm25Options.Stemmer.NONE);
    assertThat(parse("{\"language\": \"none\"}").resolvedStopwords()).isEmpty();
    assertThat(parse("{\"language\": \"french\", \"stopwords\": []}".replace("[]", "{\"custom\": []}"))
        .resolvedStemmer().language()).isEqualTo("french");
  }

  @Test
  void badValuesNameTheirPath() {
    rejects("[]", "query.options", "must be an object");
    rejects("{\"k\": \"1\"}", "query.options.k", "must be a number");
    rejects("{\"k\": -1}", "query.options.k", "k must be a finite number >= 0");
    rejects("{\"b\": 1.5}", "query.options.b", "b must be between 0 and 1");
    rejects("{\"avg_len\": 0}", "query.options.avg_len", "avg_len must be a finite number > 0");
    rejects("{\"tokenizer\": \"multilingual\"}", "query.options.tokenizer", "multilingual tokenizer");
    rejects("{\"tokenizer\": \"ngram\"}", "query.options.tokenizer", "unknown tokenizer 'ngram'");
    rejects("{\"language\": \"klingon\"}", "query.options.language", "unknown language 'klingon'");
    rejects("{\"language\": \"french\"}", "query.options.language", "no stop word list for 'french'");
    rejects("{\"lowercase\": 1}", "query.options.lowercase", "must be true or false");
    rejects("{\"stopwords\": 5}", "query.options.stopwords", "must be a language name");
    rejects("{\"stopwords\": {\"custom\": [1]}}", "query.options.stopwords.custom[0]", "must be a string");
    rejects("{\"stopwords\": {\"extra\": []}}", "query.options.stopwords.extra", "unknown field");
    rejects("{\"stopwords\": \"german\"}", "query.options.stopwords", "no stop word list for 'german'");
    rejects("{\"stemmer\": {\"type\": \"porter\"}}", "query.options.stemmer.type", "must be \"snowball\" or \"none\"");
    rejects("{\"stemmer\": {\"type\": \"snowball\"}}", "query.options.stemmer.language", "is required");
    rejects("{\"stemmer\": {\"type\": \"snowball\", \"language\": \"latin\"}}", "query.options.stemmer.language",
        "no Snowball stemmer for 'latin'");
    rejects("{\"min_token_len\": -1}", "query.options.min_token_len", ">= 0");
    rejects("{\"max_token_len\": 2.5}", "query.options.max_token_len", "non-negative integer");
    rejects("{\"min_token_len\": 5, \"max_token_len\": 2}", "query.options", "no token would be kept");
    rejects("{\"avglen\": 5}", "query.options.avglen", "unknown option");
  }
}
