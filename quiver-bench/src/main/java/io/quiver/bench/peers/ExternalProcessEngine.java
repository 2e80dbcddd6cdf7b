package io.quiver.bench.peers;

import io.quiver.cli.bench.AnnEngine;
import io.quiver.cli.bench.BuildParams;
import io.quiver.dataset.Texmex;
import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An engine that lives in a helper process (a Python or Node script driving a native library), for peers that cannot
 * run in the JVM: FAISS ({@code faiss_engine.py}) and hnswlib ({@code hnswlib_engine.mjs}), both in
 * {@code quiver-bench/src/main/external}.
 *
 * <h2>Protocol</h2>
 *
 * <p>{@link #build} writes the base vectors (unit length for {@link Metric#COSINE}) to a temporary {@code .fvecs} and
 * starts {@code INTERPRETER SCRIPT SPACE M EF_CONSTRUCTION THREADS BASE.fvecs WORKDIR}, where SPACE is {@code l2}, or
 * {@code ip} (inner product) for DOT and COSINE. Then it talks to the helper in UTF-8 lines, one command or answer a
 * line (helper to harness marked {@code ->}, harness to helper {@code <-}):
 *
 * <pre>
 *   -> READY &lt;library&gt; &lt;version&gt;      the library loaded; or MISSING &lt;why&gt; and exit, when it is not installed
 *   -> NOTE &lt;text&gt;                      anything the user should know, printed on stderr
 *   -> PROGRESS &lt;done&gt; &lt;total&gt;          build progress
 *   -> BUILT &lt;seconds&gt; &lt;ram bytes&gt;      index built; seconds of index construction alone, by a monotonic clock
 *   &lt;- QUERIES &lt;query.fvecs&gt;            load queries (written once by the harness) ->  OK &lt;count&gt;
 *   &lt;- SEARCH &lt;ef&gt; &lt;k&gt;                  run every loaded query once          ->  DONE &lt;result file&gt;
 *   &lt;- QUIT                              exit
 *   -> ERROR &lt;message&gt;                   any failure; the helper exits
 * </pre>
 *
 * <p>A {@code SEARCH} runs the queries one at a time on one thread (the library's own threading set to one), timing
 * each with a monotonic clock around the library's search call alone, and writes a little-endian result file:
 * {@code int32 count, int32 k, count*k int32 ids (-1 pads), count int64 latencies in nanoseconds}.
 *
 * <h2>Timing</h2>
 *
 * <p>Per-query round trips over a pipe would cost more than an HNSW search, so the harness asks for a whole pass at
 * once through {@link #searchAll}, and a pass's time ({@link BatchResult#passNanos}) is the sum of the per-query times
 * the helper measured. For in-JVM engines the pass time is the wall time of a loop that also times each call; here the
 * loop itself (in Python or JavaScript) is left out, as are the pipe and the result file, so that the figure is the
 * library's search as a caller of its binding sees it. What stays in: the binding's own per-call cost (FAISS's SWIG
 * call; hnswlib-node's copy of the query out of a JS array and of the results into JS arrays), which every user of
 * these bindings pays. Each helper measures that cost on a one-point index when it loads the queries and reports it in
 * a NOTE, never subtracting it: for hnswlib-node it is large (about 0.1 ms a query at 784 dimensions, element by
 * element N-API reads), so its latencies are an upper bound on the C++ hnswlib's. Build time is likewise the helper's own measure ({@link #reportedBuildSeconds}), without the
 * process start and the base vectors' trip through a file.
 */
public final class ExternalProcessEngine implements AnnEngine {

  /**
   * How to start one kind of helper.
   *
   * @param name engine name for tables
   * @param script file name in the external-engine directory
   * @param interpreter the program that runs the script, with its options
   * @param installHint what to do when the library is missing
   */
  public record Helper(String name, String script, List<String> interpreter, String installHint) {}

  /** The directory holding the helper scripts: {@code <quiver.home>/quiver-bench/src/main/external}. */
  public static Path scriptDirectory() {
    String override = System.getProperty("quiver.external.dir");
    if (override != null) {
      return Path.of(override);
    }
    String home = System.getProperty("quiver.home");
    Path relative = Path.of("quiver-bench", "src", "main", "external");
    return home != null ? Path.of(home).resolve(relative) : relative.toAbsolutePath();
  }

  private final Helper helper;
  private final Path script;
  private Process process;
  private BufferedReader fromHelper;
  private Writer toHelper;
  private Path workDir;
  private Path stderrFile;
  private Metric metric;
  private String version = "";
  private double buildSeconds = -1;
  private long ramBytes = -1;
  private float[][] loadedQueries;

  ExternalProcessEngine(Helper helper) {
    this(helper, scriptDirectory());
  }

  ExternalProcessEngine(Helper helper, Path scriptDirectory) {
    this.helper = helper;
    this.script = scriptDirectory.resolve(helper.script());
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException(helper.name() + ": helper script " + script + " not found (run from the Quiver "
          + "repository with ./quiver, or set -Dquiver.external.dir)");
    }
  }

  @Override
  public String name() {
    return helper.name();
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public double reportedBuildSeconds() {
    return buildSeconds;
  }

  @Override
  public long ramBytesUsed() {
    return ramBytes;
  }

  @Override
  public void build(float[][] base, Metric metric, BuildParams params, BuildProgress progress) throws Exception {
    if (process != null) {
      throw new IllegalStateException(name() + " is already built");
    }
    this.metric = metric;
    int dim = PeerSupport.dimension(base);
    String space = switch (metric) {
      case L2 -> "l2";
      case DOT, COSINE -> "ip";
      case L1 -> throw new IllegalArgumentException(name() + " does not support L1");
    };
    workDir = Files.createTempDirectory("quiver-" + name() + "-");
    stderrFile = workDir.resolve("helper.stderr");
    Path baseFile = workDir.resolve("base.fvecs");
    Texmex.writeFvecs(baseFile, PeerSupport.prepare(base, metric));
    List<String> command = new ArrayList<>(helper.interpreter());
    command.addAll(List.of(script.toString(), space, String.valueOf(params.m()),
        String.valueOf(params.efConstruction()), String.valueOf(Math.max(1, params.threads())), baseFile.toString(),
        workDir.toString()));
    try {
      process = new ProcessBuilder(command).directory(script.getParent().toFile())
          .redirectError(stderrFile.toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException(name() + ": cannot start " + String.join(" ", helper.interpreter()) + " ("
          + e.getMessage() + "). " + helper.installHint(), e);
    }
    fromHelper = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    toHelper = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);

    String[] ready = expect("READY");
    version = ready.length > 2 ? ready[2] : "";
    while (true) {
      String[] line = next();
      switch (line[0]) {
        case "PROGRESS" -> progress.update(Long.parseLong(line[1]), Long.parseLong(line[2]));
        case "BUILT" -> {
          buildSeconds = Double.parseDouble(line[1]);
          ramBytes = Long.parseLong(line[2]);
          Files.deleteIfExists(baseFile);
          return;
        }
        default -> throw unexpected(line, "PROGRESS or BUILT");
      }
    }
  }

  /**
   * Answers one query through the whole-pass protocol (a query file and a SEARCH each time): correct, but slow; the
   * harness uses {@link #searchAll}.
   */
  @Override
  public int[] search(float[] query, int k, int ef) {
    return searchAll(new float[][] {query}, k, ef).ids()[0];
  }

  /**
   * One pass in one round trip: the queries go over once per array (a temporary {@code .fvecs}), then {@code SEARCH}.
   * {@link BatchResult#passNanos} is the sum of the helper's per-query times; see the class comment.
   */
  @Override
  public BatchResult searchAll(float[][] queries, int k, int ef) {
    if (process == null) {
      throw new IllegalStateException(name() + " is not built");
    }
    try {
      if (queries != loadedQueries) {
        Path file = workDir.resolve("query.fvecs");
        float[][] prepared = new float[queries.length][];
        for (int i = 0; i < queries.length; i++) {
          prepared[i] = PeerSupport.prepareQuery(queries[i], metric);
        }
        Texmex.writeFvecs(file, prepared);
        send("QUERIES " + file);
        String[] ok = expect("OK");
        if (Integer.parseInt(ok[1]) != queries.length) {
          throw new IllegalStateException(name() + " loaded " + ok[1] + " of " + queries.length + " queries");
        }
        loadedQueries = queries;
      }
      send("SEARCH " + ef + " " + k);
      String[] done = expect("DONE");
      Path result = Path.of(done[1]);
      BatchResult r = readResult(Files.readAllBytes(result), queries.length, k);
      Files.deleteIfExists(result);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(name() + ": " + e.getMessage(), e);
    }
  }

  /** Parses a result file (layout in the class comment); ids of -1 (fewer than k found) are dropped. */
  static BatchResult readResult(byte[] bytes, int expectedCount, int expectedK) {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int count = buf.getInt();
    int k = buf.getInt();
    if (count != expectedCount || k != expectedK || bytes.length != 8 + 4L * count * k + 8L * count) {
      throw new IllegalStateException("result file holds " + count + " x " + k + " in " + bytes.length
          + " bytes; expected " + expectedCount + " x " + expectedK);
    }
    int[][] ids = new int[count][];
    int[] row = new int[k];
    for (int i = 0; i < count; i++) {
      int n = 0;
      for (int j = 0; j < k; j++) {
        int id = buf.getInt();
        if (id >= 0) {
          row[n++] = id;
        }
      }
      ids[i] = Arrays.copyOf(row, n);
    }
    long[] latencies = new long[count];
    long sum = 0;
    for (int i = 0; i < count; i++) {
      latencies[i] = buf.getLong();
      sum += latencies[i];
    }
    return new BatchResult(ids, latencies, sum);
  }

  private void send(String line) throws IOException {
    checkAlive();
    toHelper.write(line);
    toHelper.write('\n');
    toHelper.flush();
  }

  /** The next protocol line, split on blanks; NOTE lines are printed and skipped, ERROR and MISSING throw. */
  private String[] next() throws IOException {
    while (true) {
      String line = fromHelper.readLine();
      if (line == null) {
        throw failure("exited unexpectedly");
      }
      String[] parts = line.strip().split("\\s+", -1);
      switch (parts[0]) {
        case "NOTE" -> System.err.println(name() + ": " + line.strip().substring(4).strip());
        case "ERROR" -> throw failure(line.strip().substring(5).strip());
        case "MISSING" -> throw new IllegalStateException(name() + ": " + line.strip().substring(7).strip() + ". "
            + helper.installHint());
        case "" -> {}
        default -> {
          return parts;
        }
      }
    }
  }

  private String[] expect(String keyword) throws IOException {
    String[] line = next();
    if (!line[0].equals(keyword)) {
      throw unexpected(line, keyword);
    }
    return line;
  }

  private IllegalStateException unexpected(String[] line, String wanted) {
    return new IllegalStateException(name() + ": helper said '" + String.join(" ", line) + "', expected " + wanted);
  }

  private void checkAlive() {
    if (!process.isAlive()) {
      throw failure("exited unexpectedly");
    }
  }

  /** An error naming the helper, its exit code when it has one, and the end of its stderr. */
  private IllegalStateException failure(String what) {
    StringBuilder sb = new StringBuilder(name()).append(" helper ").append(what);
    try {
      if (process.waitFor(2, TimeUnit.SECONDS)) {
        sb.append(" (exit code ").append(process.exitValue()).append(')');
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      List<String> err = Files.readAllLines(stderrFile);
      if (!err.isEmpty()) {
        sb.append("; its stderr ends:\n  ").append(String.join("\n  ", err.subList(Math.max(0, err.size() - 15),
            err.size())));
      }
    } catch (IOException ignored) {
      // no stderr to show
    }
    return new IllegalStateException(sb.toString());
  }

  @Override
  public void close() throws Exception {
    try {
      if (process != null) {
        if (process.isAlive()) {
          try {
            send("QUIT");
          } catch (IOException | IllegalStateException ignored) {
            // it is going anyway
          }
          if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        }
        process = null;
      }
    } finally {
      if (workDir != null) {
        try (Stream<Path> files = Files.walk(workDir)) {
          for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
        workDir = null;
      }
    }
  }

  /** For messages: the engine's name and helper command. */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s (%s %s)", name(), String.join(" ", helper.interpreter()), script);
  }
}
