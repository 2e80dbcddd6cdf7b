package io.quiver.cli.serve;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the launcher runs {@code quiver serve}: the collector options and environment of {@value #OPTIONS_RESOURCE}
 * (the file the launcher reads too) and the heap sized from the memory budget. A process that starts a server as a
 * user's launcher would (bench-rss) takes them from here.
 */
public record ServeJvm(List<String> options, Map<String, String> environment) {
  /** The shared definition, a class-path resource; the launcher reads it from the source tree. */
  public static final String OPTIONS_RESOURCE = "/io/quiver/cli/serve/serve-jvm.options";

  private static final long MIB = 1024 * 1024;

  public ServeJvm {
    options = List.copyOf(options);
    environment = Map.copyOf(environment);
  }

  /**
   * The options and environment of a server with {@code memoryBudgetBytes} (0: none): {@code -Xmx} = 1.5 x budget
   * + 256 MiB, or half the machine's (or cgroup's) RAM without a budget, as the launcher sizes it; then the file's.
   */
  public static ServeJvm forBudget(long memoryBudgetBytes) {
    if (memoryBudgetBytes < 0) {
      throw new IllegalArgumentException("memory budget must be >= 0 bytes (0: none), got " + memoryBudgetBytes);
    }
    List<String> options = new ArrayList<>();
    long budgetMib = memoryBudgetBytes / MIB;
    options.add(budgetMib > 0 ? "-Xmx" + (budgetMib * 3 / 2 + 256) + "m" : "-XX:MaxRAMPercentage=50");
    Map<String, String> env = new LinkedHashMap<>();
    try (InputStream in = ServeJvm.class.getResourceAsStream(OPTIONS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("class-path resource " + OPTIONS_RESOURCE + " is missing from the CLI jar");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        int hash = line.indexOf('#');
        String s = (hash >= 0 ? line.substring(0, hash) : line).strip();
        int eq = s.indexOf('=');
        if (s.startsWith("-")) {
          options.add(s);
        } else if (eq > 0) {
          env.put(s.substring(0, eq), s.substring(eq + 1));
        } else if (!s.isEmpty()) {
          throw new IllegalStateException(OPTIONS_RESOURCE + ": neither a JVM option nor NAME=value: " + line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + OPTIONS_RESOURCE, e);
    }
    return new ServeJvm(options, env);
  }

  /** Whether JVM option {@code arg} sizes the heap or picks a collector, which a server's own options replace. */
  public static boolean replacedByServeOptions(String arg) {
    return arg.startsWith("-Xmx") || arg.startsWith("-Xms") || arg.startsWith("-XX:MaxHeapSize")
        || arg.startsWith("-XX:InitialHeapSize") || arg.contains("RAMPercentage") || arg.startsWith("-XX:MaxRAM=")
        || arg.matches("-XX:[+-]Use\\w*GC");
  }
}
