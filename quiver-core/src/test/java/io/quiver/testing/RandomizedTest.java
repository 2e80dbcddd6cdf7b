package io.quiver.testing;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Base for seeded randomized tests, in the manner of LuceneTestCase. The master seed comes from
 * {@code -Dtests.seed=HEX} or is drawn at random; every test derives its own {@link #random()} from it and its name,
 * and a failing test prints the line that reproduces it. {@code -Dtests.multiplier=N} scales {@link #atLeast}.
 */
@ExtendWith(RandomizedTest.SeedReporter.class)
public abstract class RandomizedTest {
  private static final long MASTER_SEED = initialSeed();
  private static final int MULTIPLIER = Integer.getInteger("tests.multiplier", 1);

  private Random random;
  private long testSeed;

  private static long initialSeed() {
    String s = System.getProperty("tests.seed");
    if (s != null && !s.isBlank()) {
      return Long.parseUnsignedLong(s.trim(), 16);
    }
    return new Random().nextLong();
  }

  @BeforeEach
  final void seedRandom(TestInfo info) {
    String name = info.getTestClass().map(Class::getName).orElse("") + "#" + info.getDisplayName();
    testSeed = MASTER_SEED ^ (name.hashCode() * 0x9E3779B97F4A7C15L);
    random = new Random(testSeed);
  }

  /** This test's random source; the same for the same master seed and test name. */
  protected final Random random() {
    return random;
  }

  /** At least {@code n}, more under a higher {@code tests.multiplier}, with some random slack. */
  protected final int atLeast(int n) {
    int min = n * MULTIPLIER;
    return min + random.nextInt(Math.max(1, min / 4));
  }

  protected static String masterSeedHex() {
    return Long.toHexString(MASTER_SEED).toUpperCase(Locale.ROOT);
  }

  /** Prints the reproduce line of a failed test. */
  public static final class SeedReporter implements TestWatcher {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      System.err.printf(Locale.ROOT, "%nREPRODUCE WITH: ./mvnw verify -Dtests.seed=%s -Dtest=%s#%s%n%n",
          masterSeedHex(), context.getRequiredTestClass().getSimpleName(),
          context.getRequiredTestMethod().getName());
    }
  }
}
