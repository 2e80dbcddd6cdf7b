package io.quiver.collection;

import io.quiver.distance.Metric;
import io.quiver.quantization.BinaryQuantizer;
import io.quiver.quantization.Float16Codec;
import io.quiver.quantization.ProductQuantizer;
import io.quiver.quantization.QuantizedScorer;
import io.quiver.quantization.Quantizers;
import io.quiver.quantization.ScalarQuantizer;
import io.quiver.quantization.VectorQuantizer;
import io.quiver.storage.AtomicFiles;
import io.quiver.storage.CorruptFileException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;

/**
 * A sealed segment's quantized codes of one vector field, in RAM: the trained quantizer ({@code <field>.qparams}, the
 * format of {@link Quantizers}) and one fixed-size record per ordinal ({@code <field>.codes}).
 *
 * <p>{@code <field>.codes}, little-endian: int32 magic {@code 0x444F4351} ("QCOD"), int32 version 1, int32 count,
 * int32 bytes per record, then {@code count * bytes} code bytes (ordinal order; zeros for points without the field),
 * then the CRC32C of everything before it.
 */
record QuantizedField(VectorQuantizer quantizer, byte[] codes, VectorQuantizer.Scorers scorers) {
  static final int CODES_MAGIC = 0x444F4351;
  static final int VERSION = 1;
  /** Vectors a quantizer is trained on at most (evenly spread over the segment). */
  static final int TRAINING_SAMPLE = 16_384;
  /** PQ's k-means is the slow part of training: it gets a smaller sample. */
  static final int PQ_TRAINING_SAMPLE = 8_192;
  /**
   * Coarse centroids of binary and PQ codes: each code encodes a vector's residual from the nearest one, and a smaller
   * residual makes the estimate sharper (one global centroid ranked clustered data poorly).
   */
  static final int BINARY_CENTROIDS = 64;

  QuantizedField(VectorQuantizer quantizer, byte[] codes) {
    this(quantizer, codes, quantizer.bind(codes));
  }

  QuantizedScorer scorer(float[] query) {
    return scorers.scorer(query);
  }

  long ramBytes() {
    return codes.length + scorers.ramBytes();
  }

  static String paramsFile(String base) {
    return base + ".qparams";
  }

  static String codesFile(String base) {
    return base + ".codes";
  }

  /**
   * Trains a quantizer on an evenly spread sample of {@code count} vectors ({@code vectors.apply(i)}: a copy, or null
   * for a point without the field) and encodes them all, one at a time: only the sample and the codes are held.
   */
  static QuantizedField build(QuantizationConfig config, Metric metric, int dim, int count,
      IntFunction<float[]> vectors) {
    int limit = config.kind() == QuantizationConfig.Kind.PRODUCT ? PQ_TRAINING_SAMPLE : TRAINING_SAMPLE;
    List<float[]> picked = new ArrayList<>();
    double step = Math.max(1.0, (double) count / limit);
    for (double at = 0; at < count && picked.size() < limit; at += step) {
      float[] v = vectors.apply((int) at);
      if (v != null) {
        picked.add(v);
      }
    }
    if (picked.isEmpty()) {
      for (int i = 0; i < count && picked.isEmpty(); i++) { // the sampled points had no vector: find any
        float[] v = vectors.apply(i);
        if (v != null) {
          picked.add(v);
        }
      }
      if (picked.isEmpty()) {
        return null;
      }
    }
    float[][] sample = picked.toArray(float[][]::new);
    VectorQuantizer q = switch (config.kind()) {
      case INT8 -> ScalarQuantizer.train(metric, sample, config.quantile());
      case FLOAT16 -> new Float16Codec(metric, dim);
      case BINARY -> BinaryQuantizer.train(metric, sample, Math.min(BINARY_CENTROIDS, Math.max(1, sample.length / 64)), 42L);
      // residuals to coarse centroids, as for binary: one global mean measured recall 0.28 after rerank, 64 gave 0.95
      case PRODUCT -> ProductQuantizer.train(metric, sample, subspaces(config, dim),
          Math.min(BINARY_CENTROIDS, Math.max(1, sample.length / 64)), 10, 42L);
    };
    int bpv = q.bytesPerVector();
    byte[] codes = new byte[Math.multiplyExact(bpv, count)];
    // records are independent and disjoint: encode chunks in parallel (1M PQ records took minutes on one core)
    IntStream.range(0, (count + 4095) / 4096).parallel().forEach(chunk -> {
      for (int i = chunk * 4096, end = Math.min(count, i + 4096); i < end; i++) {
        float[] v = vectors.apply(i);
        if (v != null) {
          q.encode(v, codes, i * bpv);
        }
      }
    });
    return new QuantizedField(q, codes);
  }

  /**
   * Writes both files of field file base {@code base} into {@code dir}, fsync'd. The codes stream out in 64 KiB
   * pieces (each file through a temporary and a rename): a whole-file buffer would be a second copy of the codes on
   * the heap at every seal and re-encode.
   */
  void write(Path dir, String base) throws IOException {
    AtomicFiles.write(dir.resolve(paramsFile(base)), Quantizers.toBytes(quantizer));
    int count = codes.length / quantizer.bytesPerVector();
    Path target = dir.resolve(codesFile(base));
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try (SegmentFiles.Writer w = new SegmentFiles.Writer(tmp)) {
      w.putInt(CODES_MAGIC).putInt(VERSION).putInt(count).putInt(quantizer.bytesPerVector()).put(codes);
      w.finish();
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    AtomicFiles.move(tmp, target);
  }

  /**
   * Whether these codes are of the kind {@code config} asks for (PQ: also the same sub-spaces). A quantile change is
   * not visible in the codes: {@link Collection#updateQuantization} re-encodes every segment anyway.
   */
  boolean matches(QuantizationConfig config, int dim) {
    return switch (config.kind()) {
      case INT8 -> quantizer instanceof ScalarQuantizer;
      case FLOAT16 -> quantizer instanceof Float16Codec;
      case BINARY -> quantizer instanceof BinaryQuantizer;
      case PRODUCT -> quantizer instanceof ProductQuantizer pq && pq.subspaces() == subspaces(config, dim);
    };
  }

  static int subspaces(QuantizationConfig config, int dim) {
    return Math.max(1, Math.min(dim, dim * 4 / config.compression()));
  }

  /**
   * Removes the codes of field file base {@code base}: the codes file first, so a crash in between leaves params
   * that {@link #read} ignores.
   */
  static void delete(Path dir, String base) throws IOException {
    Files.deleteIfExists(dir.resolve(codesFile(base)));
    AtomicFiles.syncDirectory(dir);
    Files.deleteIfExists(dir.resolve(paramsFile(base)));
  }

  /** Reads the codes of field file base {@code base}, or null when the segment has none (sealed unquantized). */
  static QuantizedField read(Path dir, String base, int count) throws IOException {
    Path params = dir.resolve(paramsFile(base));
    Path codesPath = dir.resolve(codesFile(base));
    if (!Files.exists(codesPath)) {
      return null; // the codes file is written last, so params alone are a re-encode cut short: no codes yet
    }
    VectorQuantizer q;
    try {
      q = Quantizers.fromBytes(Files.readAllBytes(params));
    } catch (IOException e) {
      throw new CorruptFileException(params, e instanceof CorruptFileException c ? c.problem() : String.valueOf(e.getMessage()), e);
    }
    // mapped, checked, then copied once into the heap: Files.readAllBytes went through a temporary direct buffer of
    // the file's size that the JDK then kept cached (measured: +390 MB of native memory for 1M int8 codes)
    try (FileChannel ch = FileChannel.open(codesPath);
        Arena arena = Arena.ofConfined()) {
      long size = ch.size();
      MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      var le = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
      if (size < 20 || all.get(le, 0) != CODES_MAGIC || all.get(le, 4) != VERSION) {
        throw new CorruptFileException(codesPath, "not a version " + VERSION + " codes file");
      }
      int n = all.get(le, 8);
      int bpv = all.get(le, 12);
      if (n != count || bpv != q.bytesPerVector() || size != 16L + (long) n * bpv + 4) {
        throw new CorruptFileException(codesPath, "holds " + n + " records of " + bpv + " bytes in " + size
            + " bytes; expected " + count + " of " + q.bytesPerVector());
      }
      CRC32C crc = new CRC32C();
      crc.update(all.asSlice(0, size - 4).asByteBuffer());
      if ((int) crc.getValue() != all.get(le, size - 4)) {
        throw new CorruptFileException(codesPath, "CRC32C mismatch");
      }
      byte[] codes = new byte[Math.toIntExact(size - 20)];
      MemorySegment.copy(all, ValueLayout.JAVA_BYTE, 16, codes, 0, codes.length);
      return new QuantizedField(q, codes);
    }
  }
}
