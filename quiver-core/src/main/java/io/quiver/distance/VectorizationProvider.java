package io.quiver.distance;

import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Chooses the kernel implementation once per JVM and logs one line saying which and why.
 *
 * <p>The Vector API implementation is used when the {@code jdk.incubator.vector} module is in the boot layer
 * (the JVM was started with {@code --add-modules jdk.incubator.vector}) and the preferred species is at least 128
 * bits wide. Setting the system property {@code quiver.vectorization=scalar} forces the fallback.
 */
public final class VectorizationProvider {

  private static final System.Logger LOG = System.getLogger("io.quiver.distance");
  private static final VectorUtilSupport INSTANCE = choose();

  private VectorizationProvider() {}

  /** The kernels chosen for this JVM. */
  public static VectorUtilSupport get() {
    return INSTANCE;
  }

  /** The Vector API kernels, or {@code null} when this JVM cannot load them. For tests and benchmarks. */
  public static VectorUtilSupport panamaOrNull() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return null;
    }
    return new PanamaVectorUtilSupport();
  }

  private static VectorUtilSupport choose() {
    String forced = System.getProperty("quiver.vectorization", "").toLowerCase(Locale.ROOT);
    if (forced.equals("scalar")) {
      return log(new ScalarVectorUtilSupport(), "forced by -Dquiver.vectorization=scalar");
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return log(new ScalarVectorUtilSupport(),
          "module jdk.incubator.vector is not present; start the JVM with --add-modules jdk.incubator.vector");
    }
    try {
      int bits = PanamaVectorUtilSupport.vectorBitSize();
      if (bits < 128) {
        return log(new ScalarVectorUtilSupport(), "preferred vector size is only " + bits + " bits");
      }
      VectorUtilSupport panama = new PanamaVectorUtilSupport();
      return log(panama, "jdk.incubator.vector present, preferred species " + bits + " bits");
    } catch (LinkageError | RuntimeException e) {
      return log(new ScalarVectorUtilSupport(), "Vector API failed to initialise: " + e);
    }
  }

  private static VectorUtilSupport log(VectorUtilSupport impl, String reason) {
    LOG.log(Level.INFO, "Quiver distance kernels: {0} ({1})", impl.name(), reason);
    return impl;
  }
}
