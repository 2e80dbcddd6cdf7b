package io.quiver.cli.bench;

import io.quiver.distance.Metric;

/**
 * Makes {@link AnnEngine}s for the harness; found with {@link java.util.ServiceLoader}, so peer engines live in the
 * quiver-bench jar and only join when that jar is on the class path.
 */
public interface AnnEngineProvider {

  /** The name {@code --index} selects this engine by, e.g. {@code lucene}. */
  String name();

  /** Whether {@code metric} is supported. */
  boolean supports(Metric metric);

  AnnEngine create();
}
