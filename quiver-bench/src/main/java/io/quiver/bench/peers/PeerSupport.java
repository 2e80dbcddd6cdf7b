package io.quiver.bench.peers;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.BuildProgress;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/** Helpers shared by the peer engines. */
final class PeerSupport {

  private PeerSupport() {}

  /**
   * The vectors an engine should index for {@code metric}: {@code base} itself, or, for {@link Metric#COSINE}, unit
   * length copies (the caller's arrays are never modified).
   */
  static float[][] prepare(float[][] base, Metric metric) {
    if (!metric.normalizes()) {
      return base;
    }
    float[][] out = new float[base.length][];
    for (int i = 0; i < base.length; i++) {
      out[i] = base[i].clone();
      VectorUtil.normalize(out[i]);
    }
    return out;
  }

  /** The query an engine should search with for {@code metric}: {@code q} itself or a unit length copy. */
  static float[] prepareQuery(float[] q, Metric metric) {
    if (!metric.normalizes()) {
      return q;
    }
    float[] copy = q.clone();
    VectorUtil.normalize(copy);
    return copy;
  }

  static int dimension(float[][] base) {
    if (base.length == 0) {
      throw new IllegalArgumentException("empty base set");
    }
    return base[0].length;
  }

  /**
   * Version of a peer library: from the pom.properties or manifest in its own jar when those survive (plain class
   * path), else the version this module was built and shaded against ({@code peer-versions.properties}, filled in
   * by Maven), else "".
   */
  static String libraryVersion(Class<?> anchor, String groupId, String artifactId, String key) {
    String path = "/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
    String v = property(anchor, path, "version");
    if (v.isEmpty()) {
      String impl = anchor.getPackage().getImplementationVersion();
      v = impl == null ? "" : impl;
    }
    return v.isEmpty() ? property(PeerSupport.class, "peer-versions.properties", key) : v;
  }

  private static String property(Class<?> anchor, String resource, String key) {
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty(key, "");
      }
    } catch (IOException e) {
      // fall through
    }
    return "";
  }

  /** Counts inserted nodes from any thread and forwards every {@code step}-th count (and the last) to progress. */
  static final class Ticker {
    private final BuildProgress progress;
    private final long total;
    private final long step;
    private final AtomicLong done = new AtomicLong();

    Ticker(BuildProgress progress, long total) {
      this.progress = progress;
      this.total = total;
      this.step = Math.max(1, total / 200);
    }

    void tick() {
      long d = done.incrementAndGet();
      if (d % step == 0 || d == total) {
        progress.update(d, total);
      }
    }

    /** Reports completion once (for libraries that cannot report as they go, or to close off rounding). */
    void finish() {
      progress.update(total, total);
    }
  }
}
