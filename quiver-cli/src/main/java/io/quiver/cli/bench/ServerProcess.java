package io.quiver.cli.bench;

import io.quiver.cli.QuiverCli;
import io.quiver.cli.serve.ServeJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code quiver serve} in a child JVM started as the launcher starts it: this JVM's binary, class path and flags
 * (module, native access, huge pages, {@code QUIVER_JAVA_OPTS}) with the heap and collector options replaced by
 * {@link ServeJvm}'s, and its environment. It listens on a free port of 127.0.0.1 and logs to a file; closing it
 * stops it (SIGTERM, then SIGKILL after {@value #STOP_SECONDS} s).
 */
final class ServerProcess implements AutoCloseable {
  /** The server's start line: "quiver serving DIR on http://HOST:PORT (...)". */
  private static final Pattern SERVING = Pattern.compile("quiver serving .* on https?://\\S+:(\\d+) \\(");
  private static final long STOP_SECONDS = 20;

  private final Process process;
  private final Path log;
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final Thread logPump;
  /** Kills the server if this JVM exits first (Ctrl-C, an error thrown past close). */
  private final Thread killOnExit;

  private ServerProcess(Process process, Path log) throws IOException {
    this.process = process;
    this.log = log;
    this.killOnExit = Thread.ofPlatform().unstarted(process::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(killOnExit);
    PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
    // the pump drains the child's output (a full pipe would stall it) and finds the port in the start line
    this.logPump = Thread.ofPlatform().daemon().name("bench-rss-server-log").start(() -> {
      try (out; BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          out.println(line);
          Matcher m = SERVING.matcher(line);
          if (!port.isDone() && m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException e) {
        port.completeExceptionally(e);
      }
      port.completeExceptionally(new IOException("the server exited before it listened"));
    });
  }

  /**
   * Starts a server on {@code dataDir} with {@code jvm}'s options, then {@code extraJvmOptions}, and {@code serve}
   * arguments {@code serveArgs} after the port and directory; returns once it listens, or throws with the tail of its log within {@code startSeconds}.
   */
  static ServerProcess start(Path dataDir, ServeJvm jvm, List<String> extraJvmOptions, List<String> serveArgs,
      Path log, long startSeconds) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!ServeJvm.replacedByServeOptions(a) && !a.startsWith("-agentlib:") && !a.startsWith("-javaagent:")) {
        cmd.add(a);
      }
    }
    cmd.addAll(jvm.options());
    cmd.addAll(extraJvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), QuiverCli.class.getName(), "serve",
        "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir.toString()));
    cmd.addAll(serveArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    jvm.environment().forEach(env::putIfAbsent);
    ServerProcess s = new ServerProcess(pb.start(), log);
    try {
      s.port.get(startSeconds, TimeUnit.SECONDS);
      return s;
    } catch (ExecutionException | TimeoutException e) {
      s.close();
      throw new IOException("the server did not start within " + startSeconds + " s (command: "
          + String.join(" ", cmd) + "); its log ends:\n" + s.logTail(30), e);
    }
  }

  int port() {
    return port.join();
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** VmRSS, VmHWM, RssAnon, RssFile of the server, in bytes, from {@code /proc/PID/status}. */
  Map<String, Long> memoryStatus() throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      for (String key : List.of("VmRSS", "VmHWM", "RssAnon", "RssFile")) {
        if (line.startsWith(key + ":")) {
          out.put(key, 1024 * Long.parseLong(line.substring(key.length() + 1).replace("kB", "").strip()));
        }
      }
    }
    return out;
  }

  /** The last {@code lines} lines the server logged. */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Stops the server: SIGTERM (it flushes and closes the database), SIGKILL if it has not exited in time. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_SECONDS, TimeUnit.SECONDS);
      }
    }
    logPump.join(TimeUnit.SECONDS.toMillis(STOP_SECONDS));
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway and finds the process gone
    }
  }
}
