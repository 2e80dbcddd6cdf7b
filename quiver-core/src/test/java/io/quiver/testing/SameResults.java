package io.quiver.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.index.SearchResult;
import java.util.Arrays;
import java.util.function.Supplier;

/** Asserts that two indexes answer a search identically: same ordinals in the same order, same distances. */
public final class SameResults {
  private SameResults() {}

  /**
   * Runs both searches and requires identical results. A Vector API lane reduction sums in another order once its
   * kernel is C2-compiled (see FlatIndexTest), so two kernels with the same arithmetic, the heap one hot from the
   * build and the mapped-segment one still cold, can differ by an ulp until both are compiled. On a mismatch both
   * searches therefore run in lockstep a few thousand more times and are compared again: a tier gap closes, a real
   * difference stays.
   */
  public static void assertSame(Supplier<SearchResult> expected, Supplier<SearchResult> actual, String what) {
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
    assertThat(a.ordinals()).as("%s: ordinals", what).containsExactly(e.ordinals());
    assertThat(a.distances()).as("%s: distances", what).containsExactly(e.distances());
  }

  private static boolean identical(SearchResult e, SearchResult a) {
    return Arrays.equals(e.ordinals(), a.ordinals()) && Arrays.equals(e.distances(), a.distances());
  }
}
