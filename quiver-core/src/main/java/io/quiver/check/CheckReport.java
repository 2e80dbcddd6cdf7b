package io.quiver.check;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a consistency check found: problems (damage or an inconsistency that opening the database would refuse or
 * that loses data), notes (states a normal open repairs by itself, such as a torn log tail), and a summary line per
 * collection.
 */
public final class CheckReport {
  /** How serious a finding is. */
  public enum Severity {
    /** The database, or part of it, is damaged: opening fails or data is lost or unreachable. */
    PROBLEM,
    /** Left by a crash or an older version and repaired by the next writable open; nothing is lost. */
    NOTE
  }

  /** One finding about one file (or directory). */
  public record Finding(Severity severity, Path file, String message) {
    @Override
    public String toString() {
      return severity + " " + file + ": " + message;
    }
  }

  private final List<Finding> findings = new ArrayList<>();
  private final List<String> summary = new ArrayList<>();

  public void problem(Path file, String message) {
    findings.add(new Finding(Severity.PROBLEM, file, message));
  }

  public void note(Path file, String message) {
    findings.add(new Finding(Severity.NOTE, file, message));
  }

  public void summary(String line) {
    summary.add(line);
  }

  /** Every finding, in the order the check made them. */
  public List<Finding> findings() {
    return List.copyOf(findings);
  }

  /** The findings of severity PROBLEM. */
  public List<Finding> problems() {
    return findings.stream().filter(f -> f.severity() == Severity.PROBLEM).toList();
  }

  /** One line per collection checked: what it holds. */
  public List<String> summary() {
    return List.copyOf(summary);
  }

  /** True when nothing is damaged (notes allowed). */
  public boolean ok() {
    return problems().isEmpty();
  }
}
