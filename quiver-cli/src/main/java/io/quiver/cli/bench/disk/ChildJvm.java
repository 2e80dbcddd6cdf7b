package io.quiver.cli.bench.disk;

import io.quiver.cli.QuiverCli;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@code quiver <args>} in a new JVM with this JVM's binary, class path and flags (heap size replaced), inside a
 * memory cgroup from its first instruction: {@code sh} writes its own pid into the cgroup, then execs java, so
 * nothing the JVM allocates is charged elsewhere.
 */
final class ChildJvm {
  private ChildJvm() {}

  /** The java command for {@code args}, with {@code -Xmx} set to {@code heapBytes}. */
  static List<String> javaCommand(long heapBytes, List<String> args) {
    String java = ProcessHandle.current().info().command()
        .orElse(System.getProperty("java.home") + "/bin/java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!sizesHeap(a) && !a.startsWith("-agentlib:jdwp")) {
        cmd.add(a);
      }
    }
    cmd.add("-Xmx" + heapBytes);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(QuiverCli.class.getName());
    cmd.addAll(args);
    return cmd;
  }

  /** Flags that size the heap, which the child gets from {@code --heap} instead. */
  private static boolean sizesHeap(String arg) {
    return arg.startsWith("-Xmx") || arg.startsWith("-Xms") || arg.startsWith("-XX:MaxHeapSize")
        || arg.startsWith("-XX:InitialHeapSize") || arg.contains("RAMPercentage") || arg.startsWith("-XX:MaxRAM=");
  }

  /** How a child ended, and the most anonymous memory its cgroup held, sampled every {@value #SAMPLE_MILLIS} ms. */
  record Outcome(int exitCode, long peakAnonymousBytes) {}

  private static final long SAMPLE_MILLIS = 20;

  /**
   * Runs {@code command} inside {@code cgroup}, its output to this process's. The page cache fills a capped cgroup up
   * to its limit, so the cgroup's own high-water mark is the cap in most runs; the sampled anonymous peak says how
   * much of it the process itself (heap, native) held.
   */
  static Outcome runIn(MemoryCgroup cgroup, List<String> command) throws IOException, InterruptedException {
    List<String> sh = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\" && exec \"$@\"",
        cgroup.procsFile().toString()));
    sh.addAll(command);
    Process p = new ProcessBuilder(sh).inheritIO().start();
    long peak = 0;
    while (!p.waitFor(SAMPLE_MILLIS, TimeUnit.MILLISECONDS)) {
      peak = Math.max(peak, cgroup.anonymousBytes());
    }
    return new Outcome(p.exitValue(), peak);
  }
}
