package io.quiver.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.quiver.index.SearchResult;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Asserts that two indexes answer a search the same way.
 *
 * <p>A Vector API lane reduction sums in another order once its kernel is C2-compiled (see FlatIndexTest), so two
 * kernels with the same arithmetic can differ in the last bit while they sit at different JIT tiers: the heap array
 * kernels hot from the build, the mapped-segment kernels of a freshly opened index still cold. Both assertions first
 * run the two searches in lockstep until they agree, which closes such a tier gap.
 */
public final class SameResults {
  private SameResults() {}

  /** Same ordinals in the same order and bit-identical distances (indexes that run the same kernels). */
  public static void assertSame(Supplier<SearchResult> expected, Supplier<SearchResult> actual, String what) {
    SearchResult[] r = warmUntilIdentical(expected, actual);
    assertThat(r[1].ordinals()).as("%s: ordinals", what).containsExactly(r[0].ordinals());
    assertThat(r[1].distances()).as("%s: distances", what).containsExactly(r[0].distances());
  }

  /**
   * Same results up to the last bits of the distances, for indexes that run different kernels with the same
   * arithmetic (heap arrays against a mapped segment): the same ordinals, distances within a relative 1e-6, and
   * ordinals only trade places where their distances tie within that tolerance.
   */
  public static void assertEquivalent(Supplier<SearchResult> expected, Supplier<SearchResult> actual, String what) {
    SearchResult[] r = warmUntilIdentical(expected, actual);
    SearchResult e = r[0];
    SearchResult a = r[1];
    assertThat(a.ordinals()).as("%s: ordinals", what).containsExactlyInAnyOrder(e.ordinals());
    for (int i = 0; i < e.size(); i++) {
      float d = e.distances()[i];
      float tolerance = 1e-6f * Math.max(1f, Math.abs(d));
      assertThat(a.distances()[i]).as("%s: distance %d", what, i).isCloseTo(d, within(tolerance));
      if (a.ordinals()[i] != e.ordinals()[i]) {
        int ordinal = a.ordinals()[i];
        int j = indexOf(e.ordinals(), ordinal);
        assertThat(e.distances()[j]).as("%s: ordinal %d moved from rank %d to %d without a tie", what, ordinal, j, i)
            .isCloseTo(d, within(tolerance));
      }
    }
  }

  private static SearchResult[] warmUntilIdentical(Supplier<SearchResult> expected, Supplier<SearchResult> actual) {
    SearchResult e = expected.get();
    SearchResult a = actual.get();
    for (int round = 0; round < 20 && !identical(e, a); round++) {
      for (int i = 0; i < 500; i++) {
        expected.get();
        actual.get();
      }
      e = expected.get();
      a = actual.get();
    }
    return new SearchResult[] {e, a};
  }

  private static int indexOf(int[] values, int value) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == value) {
        return i;
      }
    }
    return -1;
  }

  private static boolean identical(SearchResult e, SearchResult a) {
    return Arrays.equals(e.ordinals(), a.ordinals()) && Arrays.equals(e.distances(), a.distances());
  }
}
