package io.quiver.bench.peers;

import io.quiver.cli.bench.AnnEngine;
import io.quiver.cli.bench.AnnEngineProvider;
import io.quiver.distance.Metric;
import java.util.List;

/**
 * {@code --index hnswlib-node}: the C++ hnswlib through its Node binding {@code hnswlib-node} (pinned in
 * {@code quiver-bench/src/main/external/package.json}), in a Node helper process, {@code hnswlib_engine.mjs}; see
 * {@link ExternalProcessEngine} for the protocol and how it is timed.
 *
 * <p>Node is {@code -Dquiver.node}, else {@code $QUIVER_NODE}, else {@code node} on the PATH. The binding inserts on
 * one thread only (it has no parallel add), so build times are single-threaded whatever {@code --threads} says; the
 * helper says so in a note. L2 and DOT map to hnswlib's {@code l2} and {@code ip} spaces; COSINE is {@code ip} on
 * vectors and queries the harness normalises.
 */
public final class HnswlibNodeProvider implements AnnEngineProvider {

  /** The hnswlib-node version package.json pins. */
  static final String PINNED_VERSION = "3.0.0";

  static String installHint() {
    return "Install the pinned binding with: cd " + ExternalProcessEngine.scriptDirectory() + " && npm ci "
        + "(or npm install hnswlib-node@" + PINNED_VERSION + "); it compiles hnswlib, so it needs g++ and make";
  }

  @Override
  public String name() {
    return "hnswlib-node";
  }

  @Override
  public boolean supports(Metric metric) {
    return metric != Metric.L1;
  }

  @Override
  public AnnEngine create() {
    return new ExternalProcessEngine(new ExternalProcessEngine.Helper("hnswlib-node", "hnswlib_engine.mjs",
        List.of(node()), installHint()));
  }

  static String node() {
    String p = System.getProperty("quiver.node");
    if (p == null || p.isBlank()) {
      p = System.getenv("QUIVER_NODE");
    }
    return p == null || p.isBlank() ? "node" : p;
  }
}
