package io.quiver.cli.bench;

import io.quiver.index.BuildProgress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar with rate and ETA on stderr. On a terminal it redraws one line; otherwise (CI logs) it prints a line
 * every 10%.
 */
public final class Progress implements BuildProgress {
  private final String label;
  private final PrintStream out;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private long lastDraw;
  private int lastDecile = -1;

  public Progress(String label, PrintStream out) {
    this.label = label;
    this.out = out;
    this.terminal = System.console() != null && System.console().isTerminal();
  }

  @Override
  public synchronized void update(long done, long total) {
    long now = System.nanoTime();
    int decile = total == 0 ? 10 : (int) (done * 10 / total);
    boolean finished = done >= total;
    if (terminal ? (now - lastDraw < 100_000_000L && !finished) : (decile == lastDecile && !finished)) {
      return;
    }
    lastDraw = now;
    lastDecile = decile;
    double secs = (now - startNanos) / 1e9;
    double rate = secs > 0 ? done / secs : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    int width = 30;
    int filled = total == 0 ? width : (int) (width * done / total);
    String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
    String line = String.format(Locale.ROOT, "%s [%s] %3d%% %,d/%,d %,.0f/s ETA %s", label, bar,
        total == 0 ? 100 : done * 100 / total, done, total, rate, formatSeconds(eta));
    if (terminal) {
      out.print("\r" + line + (finished ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }

  static String formatSeconds(double s) {
    if (s < 60) {
      return String.format(Locale.ROOT, "%.0fs", s);
    }
    return String.format(Locale.ROOT, "%dm%02ds", (long) s / 60, (long) s % 60);
  }
}
