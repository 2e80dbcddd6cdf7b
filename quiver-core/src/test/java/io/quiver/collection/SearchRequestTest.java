package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.filter.Filter;
import org.junit.jupiter.api.Test;

class SearchRequestTest {
  @Test
  void toBuilderCopiesEveryField() {
    SearchRequest r = SearchRequest.builder(new float[] {1, 2}).using("v").limit(7).offset(3)
        .filter(Filter.ALL).scoreThreshold(0.5f).withPayload(true).withVectors("v").exact(true).ef(99)
        .strategy(SearchStrategy.ACORN).quantization(new SearchRequest.QuantizationParams(false, false, 2.0)).build();
    assertThat(r.toBuilder().build()).isEqualTo(r);
    assertThat(r.toBuilder().limit(8).build().quantization()).isEqualTo(r.quantization());
  }
}
