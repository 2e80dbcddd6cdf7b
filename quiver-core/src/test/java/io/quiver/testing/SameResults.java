package io.quiver.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.index.SearchResult;
import java.util.Arrays;
import java.util.function.Supplier;

/** Asserts that two indexes answer a search identically: same ordinals in the same order, same distances. */
public final class SameResults {
  private SameResults() {}

  /**
   * Runs both searches and requires identical results. On a mismatch both run once more before failing: a Vector API
   * lane reduction may sum in another order once the kernel is JIT-compiled (see FlatIndexTest), so a compilation
   * landing between the two calls can move a distance by an ulp. A real difference repeats; that one does not.
   */
  public static void assertSame(Supplier<SearchResult> expected, Supplier<SearchResult> actual, String what) {
    SearchResult e = expected.get();
    SearchResult a = actual.get();
    if (identical(e, a)) {
      return;
    }
    e = expected.get();
    a = actual.get();
    assertThat(a.ordinals()).as("%s: ordinals", what).containsExactly(e.ordinals());
    assertThat(a.distances()).as("%s: distances", what).containsExactly(e.distances());
  }

  private static boolean identical(SearchResult e, SearchResult a) {
    return Arrays.equals(e.ordinals(), a.ordinals()) && Arrays.equals(e.distances(), a.distances());
  }
}
