package io.quiver.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TextModelsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void modelsByName() throws Exception {
    assertThat(TextModels.isSparse("Qdrant/bm25")).isTrue();
    assertThat(TextModels.isSparse("sentence-transformers/all-MiniLM-L6-v2")).isFalse();
    SparseTextEncoder q = TextModels.encoder("Qdrant/bm25", MAPPER.readTree("{\"avg_len\": 100}"), "query",
        CorpusStats.fixed(1));
    assertThat(q).isInstanceOf(QdrantBm25.class);
    assertThat(((QdrantBm25) q).options().avgLen()).isEqualTo(100);
    SparseTextEncoder v = TextModels.encoder("quiver/bm25", MAPPER.readTree("{\"k\": 1.5}"), "query",
        CorpusStats.fixed(1));
    assertThat(((QuiverBm25) v).config().k1()).isEqualTo(1.5);
    ((QuiverBm25) v).close();
  }

  @Test
  void errorsNameThePath() {
    assertThatThrownBy(() -> TextModels.encoder("bm42", null, "points[0].vector.text", CorpusStats.fixed(1)))
        .isInstanceOf(TextOptionsException.class).hasMessageStartingWith("points[0].vector.text.model: unknown");
    assertThatThrownBy(() -> TextModels.encoder("quiver/bm25", MAPPER.readTree("{\"tokenizer\": \"word\"}"), "query",
        CorpusStats.fixed(1))).hasMessageStartingWith("query.options.tokenizer: unknown option of quiver/bm25");
    assertThatThrownBy(() -> TextModels.encoder("quiver/bm25", MAPPER.readTree("{\"b\": 3}"), "query",
        CorpusStats.fixed(1))).hasMessageStartingWith("query.options.b: b must be between 0 and 1");
    assertThatThrownBy(() -> TextModels.encoder("qdrant/bm25", MAPPER.readTree("{\"k\": true}"), "query",
        CorpusStats.fixed(1))).hasMessageStartingWith("query.options.k: must be a number");
  }
}
