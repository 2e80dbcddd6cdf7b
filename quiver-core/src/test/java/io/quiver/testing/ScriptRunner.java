package io.quiver.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Runs external scripts (node, npm) for tests that drive real clients: finds executables, streams their output. */
public final class ScriptRunner {
  private ScriptRunner() {}

  /** How a command ended and what it printed (stdout and stderr merged). */
  public record Result(int exitCode, boolean timedOut, String output) {}

  /**
   * Runs {@code command} in {@code dir}, streaming its merged output to the test log with {@code [prefix]}; a command
   * still running after {@code timeoutSeconds} is killed with its descendants.
   */
  public static Result run(Path dir, List<String> command, long timeoutSeconds, String prefix)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("NO_COLOR", "1");
    Process p = pb.start();
    StringBuilder out = new StringBuilder();
    Thread pump = Thread.ofPlatform().daemon().start(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          System.out.println("[" + prefix + "] " + line);
          synchronized (out) {
            out.append(line).append('\n');
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
    });
    boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!finished) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    pump.join(5_000);
    synchronized (out) {
      return new Result(finished ? p.exitValue() : -1, !finished, out.toString());
    }
  }

  /** The absolute path of executable {@code exe} on the PATH ({@code .cmd}/{@code .exe} too on Windows), or null. */
  public static String onPath(String exe) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    List<String> names = new ArrayList<>(List.of(exe));
    if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win")) {
      names.addAll(List.of(exe + ".cmd", exe + ".exe"));
    }
    for (String d : path.split(File.pathSeparator)) {
      for (String n : names) {
        Path f = Path.of(d, n);
        if (Files.isRegularFile(f) && Files.isExecutable(f)) {
          return f.toString();
        }
      }
    }
    return null;
  }
}
