package io.quiver.distance;

import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Chooses the kernel implementations once per JVM, the float kernels ({@link VectorUtilSupport}) and the
 * quantized-code kernels ({@link QuantizedKernels}) together, and logs one line saying which and why.
 *
 * <p>The Vector API implementations are used when the {@code jdk.incubator.vector} module is in the boot layer
 * (the JVM was started with {@code --add-modules jdk.incubator.vector}) and the preferred species is at least 128
 * bits wide. Setting the system property {@code quiver.vectorization=scalar} forces the fallback for both. Should the
 * quantized Vector API kernels fail to initialise where the float ones did, the quantized kernels alone fall back,
 * and the line says so.
 */
public final class VectorizationProvider {

  private static final System.Logger LOG = System.getLogger("io.quiver.distance");
  private static final Kernels INSTANCE = choose();

  /** The float and quantized kernels chosen for this JVM. */
  private record Kernels(VectorUtilSupport floats, QuantizedKernels quantized) {
    static Kernels scalar() {
      return new Kernels(new ScalarVectorUtilSupport(), new ScalarQuantizedKernels());
    }
  }

  private VectorizationProvider() {}

  /** The float kernels chosen for this JVM. */
  public static VectorUtilSupport get() {
    return INSTANCE.floats();
  }

  /** The quantized-code kernels chosen for this JVM: the Vector API ones exactly when {@link #get()} is. */
  public static QuantizedKernels quantized() {
    return INSTANCE.quantized();
  }

  /** The Vector API float kernels, or {@code null} when this JVM cannot load them. For tests and benchmarks. */
  public static VectorUtilSupport panamaOrNull() {
    if (!vectorModulePresent()) {
      return null;
    }
    return new PanamaVectorUtilSupport();
  }

  /** The Vector API quantized kernels, or {@code null} when this JVM cannot load them. For tests and benchmarks. */
  public static QuantizedKernels panamaQuantizedOrNull() {
    if (!vectorModulePresent()) {
      return null;
    }
    return new PanamaQuantizedKernels();
  }

  private static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  private static Kernels choose() {
    String forced = System.getProperty("quiver.vectorization", "").toLowerCase(Locale.ROOT);
    if (forced.equals("scalar")) {
      return log(Kernels.scalar(), "forced by -Dquiver.vectorization=scalar");
    }
    if (!vectorModulePresent()) {
      return log(Kernels.scalar(),
          "module jdk.incubator.vector is not present; start the JVM with --add-modules jdk.incubator.vector");
    }
    VectorUtilSupport floats;
    int bits;
    try {
      bits = PanamaVectorUtilSupport.vectorBitSize();
      if (bits < 128) {
        return log(Kernels.scalar(), "preferred vector size is only " + bits + " bits");
      }
      floats = new PanamaVectorUtilSupport();
    } catch (LinkageError | RuntimeException e) {
      return log(Kernels.scalar(), "Vector API failed to initialise: " + e);
    }
    String reason = "jdk.incubator.vector present, preferred species " + bits + " bits";
    try {
      return log(new Kernels(floats, new PanamaQuantizedKernels()), reason);
    } catch (LinkageError | RuntimeException e) {
      return log(new Kernels(floats, new ScalarQuantizedKernels()),
          reason + "; quantized Vector API kernels failed to initialise: " + e);
    }
  }

  private static Kernels log(Kernels kernels, String reason) {
    LOG.log(Level.INFO, "Quiver distance kernels: {0}, quantized {1} ({2})", kernels.floats().name(),
        kernels.quantized().name(), reason);
    return kernels;
  }
}
