package io.quiver.bench.peers;

import io.quiver.cli.bench.AnnEngine;
import io.quiver.cli.bench.AnnEngineProvider;
import io.quiver.distance.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --index faiss}: FAISS {@code IndexHNSWFlat} (C++) in a Python helper process, {@code faiss_engine.py}; see
 * {@link ExternalProcessEngine} for the protocol and how it is timed.
 *
 * <p>The Python is {@code -Dquiver.python}, else {@code $QUIVER_PYTHON}, else {@code /usr/bin/python3} (where Debian's
 * {@code python3-faiss} installs; a {@code python3} earlier on the PATH, e.g. pyenv's, would not see it), else
 * {@code python3}. Build uses the harness's build threads (OpenMP); searches run with one OpenMP thread and
 * {@code efSearch} set per ef. L2 and DOT map to FAISS's L2 and inner-product metrics; COSINE is inner product on
 * vectors and queries the harness normalises.
 */
public final class FaissProvider implements AnnEngineProvider {

  static final String INSTALL_HINT = "Install FAISS for Debian's Python with: apt-get install python3-faiss "
      + "(or point -Dquiver.python / QUIVER_PYTHON at a python3 that can import faiss)";

  @Override
  public String name() {
    return "faiss";
  }

  @Override
  public boolean supports(Metric metric) {
    return metric != Metric.L1;
  }

  @Override
  public AnnEngine create() {
    return new ExternalProcessEngine(new ExternalProcessEngine.Helper("faiss-hnsw", "faiss_engine.py",
        List.of(python(), "-u"), INSTALL_HINT));
  }

  static String python() {
    String p = System.getProperty("quiver.python");
    if (p == null || p.isBlank()) {
      p = System.getenv("QUIVER_PYTHON");
    }
    if (p == null || p.isBlank()) {
      p = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
    return p;
  }
}
