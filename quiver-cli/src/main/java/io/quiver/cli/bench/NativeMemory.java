package io.quiver.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The committed bytes per category of a JVM started with {@code -XX:NativeMemoryTracking=summary}, as
 * {@code jcmd PID VM.native_memory summary} reports them (Java Heap, Class, Thread, Code, GC, Internal, ...; "Total").
 */
final class NativeMemory {
  /** The JVM option that turns the tracking on. */
  static final String OPTION = "-XX:NativeMemoryTracking=summary";

  /** A size as NMT prints it: bytes, or with the unit of its scale option. */
  private static final String SIZE = "(\\d+)(KB|MB|GB)?";
  private static final Pattern TOTAL = Pattern.compile("^Total: reserved=" + SIZE + ", committed=" + SIZE);
  private static final Pattern CATEGORY = Pattern.compile("^-\\s+(.+?) \\(reserved=" + SIZE + ", committed=" + SIZE
      + "\\)");

  private NativeMemory() {}

  /** Committed bytes by category of process {@code pid}, "Total" first. */
  static Map<String, Long> committed(long pid) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary", "scale=KB")
        .redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(jcmd + " " + pid + " VM.native_memory summary failed: " + text);
    }
    return parse(text);
  }

  static Map<String, Long> parse(String summary) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String line : summary.split("\n")) {
      String s = line.strip();
      Matcher t = TOTAL.matcher(s);
      Matcher c = CATEGORY.matcher(s);
      if (t.find()) {
        out.put("Total", bytes(t.group(3), t.group(4)));
      } else if (c.find()) {
        out.put(c.group(1).strip(), bytes(c.group(4), c.group(5)));
      }
    }
    return out;
  }

  private static long bytes(String number, String unit) {
    long n = Long.parseLong(number);
    return unit == null ? n : switch (unit) {
      case "KB" -> n << 10;
      case "MB" -> n << 20;
      default -> n << 30;
    };
  }
}
