package io.quiver.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TermWeightsTest {
  @Test
  void rejectsUnsortedDuplicateAndNonFinite() {
    assertThatThrownBy(() -> new TermWeights(new int[] {2, 1}, new float[] {1, 1}))
        .hasMessageContaining("unique and ascending: 2 then 1");
    assertThatThrownBy(() -> new TermWeights(new int[] {1, 1}, new float[] {1, 1}))
        .hasMessageContaining("unique and ascending");
    assertThatThrownBy(() -> new TermWeights(new int[] {1}, new float[] {Float.NaN})).hasMessageContaining("finite");
    assertThatThrownBy(() -> new TermWeights(new int[] {1}, new float[0])).hasMessageContaining("differ in length");
  }

  @Test
  void unsignedOrderPutsTwoToThe31Last() {
    TermWeights t = new TermWeights(new int[] {5, Integer.MAX_VALUE, Integer.MIN_VALUE}, new float[] {1, 2, 3});
    assertThat(t.index(2)).isEqualTo(1L << 31);
    assertThat(t.weightOf(Integer.MIN_VALUE)).isEqualTo(3f);
    assertThat(t.weightOf(6)).isZero();
    assertThatThrownBy(() -> new TermWeights(new int[] {Integer.MIN_VALUE, 5}, new float[] {1, 1}))
        .hasMessageContaining("2147483648 then 5");
  }

  @Test
  void dotOverSharedIndices() {
    TermWeights a = new TermWeights(new int[] {1, 3, 7}, new float[] {1, 2, 3});
    TermWeights b = new TermWeights(new int[] {3, 4, 7}, new float[] {10, 100, 1});
    assertThat(a.dot(b)).isEqualTo(23.0);
    assertThat(a.dot(TermWeights.EMPTY)).isZero();
  }

  @Test
  void copiesArrays() {
    int[] idx = {1, 2};
    TermWeights t = new TermWeights(idx, new float[] {1, 1});
    idx[0] = 9;
    t.indices()[1] = 9;
    assertThat(t.indices()).containsExactly(1, 2);
  }
}
