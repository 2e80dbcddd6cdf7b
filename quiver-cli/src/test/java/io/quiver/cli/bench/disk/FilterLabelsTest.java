package io.quiver.cli.bench.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FilterLabelsTest {
  private static final long SEED = Long.getLong("tests.seed", new Random().nextLong());

  @Test
  void eachLevelMatchesItsFractionOfRowsTheSameWayEveryTime() {
    System.out.printf("FilterLabelsTest seed %d (-Dtests.seed=%d)%n", SEED, SEED);
    int n = 200_000;
    for (double s : new double[] {0.001, 0.01, 0.1, 0.5, 1}) {
      RowFilter f = FilterLabels.level(SEED, s, n);
      // binomial: 5 standard deviations either side
      double sd = Math.sqrt(n * s * (1 - s));
      assertThat((double) f.count()).as("matches at %s", s).isBetween(n * s - 5 * sd - 1, n * s + 5 * sd + 1);
      assertThat(f.selectivity()).isEqualTo(s);
      int bits = 0;
      for (int r = 0; r < n; r++) {
        bits += f.accept(r) ? 1 : 0;
      }
      assertThat(bits).isEqualTo(f.count());
      assertThat(f.rows()).isSorted();
      assertThat(Arrays.stream(f.rows()).allMatch(f::accept)).isTrue();
      assertThat(FilterLabels.level(SEED, s, n).rows()).containsExactly(f.rows());
    }
  }

  /** Levels are drawn independently: the 10% rows are not the 50% rows' prefix, and another seed draws others. */
  @Test
  void levelsAndSeedsDrawIndependentLabels() {
    int n = 100_000;
    RowFilter tenth = FilterLabels.level(SEED, 0.1, n);
    RowFilter half = FilterLabels.level(SEED, 0.5, n);
    int both = 0;
    for (int r : tenth.rows()) {
      both += half.accept(r) ? 1 : 0;
    }
    // independent: about half of the 10% rows carry the 50% label too (nested labels would give all of them)
    assertThat(both / (double) tenth.count()).isBetween(0.45, 0.55);
    RowFilter other = FilterLabels.level(SEED + 1, 0.1, n);
    int same = 0;
    for (int r : tenth.rows()) {
      same += other.accept(r) ? 1 : 0;
    }
    assertThat(same / (double) tenth.count()).isBetween(0.07, 0.13);
  }

  @Test
  void aSelectivityOutsideTheUnitIntervalIsRefused() {
    assertThatThrownBy(() -> FilterLabels.level(1, 0, 10)).hasMessageContaining("selectivity must be in (0, 1]");
    assertThatThrownBy(() -> FilterLabels.level(1, 1.5, 10)).hasMessageContaining("got 1.5");
  }
}
