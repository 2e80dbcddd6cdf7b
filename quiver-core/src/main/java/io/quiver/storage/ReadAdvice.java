package io.quiver.storage;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Tells the kernel how a memory-mapped file will be read ({@code madvise(2)} through the FFM linker). Vector files
 * are read at random, one record per graph node: without advice, a fault on a page not in the page cache reads
 * ahead around it. Measured on a 1.5 GB vector file after dropping the page cache, 128 random 1.5 KB reads left
 * 7.7 MB of the file resident without advice and 0.5 MB with {@code MADV_RANDOM}. (Pages already cached in large
 * folios are mapped a folio at a time either way.) Where {@code madvise} cannot be called (not Linux, native access
 * denied, or {@code -Dquiver.readAdvice=false}) the advice is skipped and the reason logged once: results do not
 * depend on it.
 */
public final class ReadAdvice {
  private static final System.Logger LOG = System.getLogger("io.quiver.storage");
  private static final int MADV_RANDOM = 1;
  private static final int MADV_WILLNEED = 3;
  private static final long PAGE = 4096;
  private static final MethodHandle MADVISE = lookup();

  private ReadAdvice() {}

  private static MethodHandle lookup() {
    if (!Boolean.parseBoolean(System.getProperty("quiver.readAdvice", "true"))) {
      LOG.log(System.Logger.Level.INFO, "mapped files get no read advice: -Dquiver.readAdvice=false");
      return null;
    }
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      LOG.log(System.Logger.Level.INFO, "mapped files get no read advice: madvise is used on Linux only");
      return null;
    }
    try {
      Linker linker = Linker.nativeLinker();
      return linker.defaultLookup().find("madvise").map(addr -> linker.downcallHandle(addr,
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_INT))).orElse(null);
    } catch (RuntimeException | LinkageError e) { // IllegalCallerException without --enable-native-access
      LOG.log(System.Logger.Level.INFO, "mapped files get no read advice: " + e);
      return null;
    }
  }

  /** Advises random access over {@code mapped} (page-aligned at its start, as a whole-file mapping is). */
  public static boolean random(MemorySegment mapped) {
    if (MADVISE == null || mapped.byteSize() == 0) {
      return false;
    }
    try {
      return (int) MADVISE.invokeExact(mapped, mapped.byteSize(), MADV_RANDOM) == 0;
    } catch (Throwable e) {
      return false;
    }
  }

  /**
   * Asks the kernel to start reading {@code length} bytes at {@code offset} of {@code mapped} into the page cache and
   * returns without waiting, so that several reads are in flight together before the caller touches them. A no-op
   * (false) for a segment that is not a file mapping or where {@code madvise} is unavailable.
   */
  public static boolean willNeed(MemorySegment mapped, long offset, long length) {
    if (MADVISE == null || !mapped.isMapped() || length <= 0) {
      return false;
    }
    long address = mapped.address() + offset;
    long start = address & -PAGE;
    long span = address + length - start;
    try {
      return (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), span, MADV_WILLNEED) == 0;
    } catch (Throwable e) {
      return false;
    }
  }
}
