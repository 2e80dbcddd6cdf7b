package io.quiver.bench.peers;

import io.quiver.cli.bench.disk.DiskEngine;
import io.quiver.cli.bench.disk.DiskEngineProvider;
import io.quiver.distance.Metric;

/**
 * {@code --engines jvector-disk}: JVector's on-disk graph with inline vectors, PQ codes of {@code dim / 4} bytes in
 * heap, rerank from disk.
 */
public class JVectorDiskProvider implements DiskEngineProvider {

  private final String name;
  private final int dimsPerPqByte;

  public JVectorDiskProvider() {
    this("jvector-disk", JVectorDiskEngine.DEFAULT_DIMS_PER_PQ_BYTE);
  }

  JVectorDiskProvider(String name, int dimsPerPqByte) {
    this.name = name;
    this.dimsPerPqByte = dimsPerPqByte;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final boolean supports(Metric metric) {
    return metric != Metric.L1;
  }

  @Override
  public final DiskEngine create() {
    return new JVectorDiskEngine(name, dimsPerPqByte);
  }

  /**
   * {@code --engines jvector-disk-pq8}: the same with {@code dim / 8} code bytes, the size JVector's own {@code Bench}
   * and YAML configs use ({@code mFactor: 8}): 16 B at 128 dims, 96 B at 768.
   */
  public static final class Pq8 extends JVectorDiskProvider {
    public Pq8() {
      super("jvector-disk-pq8", 8);
    }
  }
}
