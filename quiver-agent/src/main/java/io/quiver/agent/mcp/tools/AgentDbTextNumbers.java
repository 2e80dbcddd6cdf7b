package io.quiver.agent.mcp.tools;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** AgentDB's number formatting (JavaScript's toFixed) for the replies {@code AgentDbText} has no method for. */
final class AgentDbTextNumbers {
  private AgentDbTextNumbers() {}

  /** The exact binary value rounded half away from zero, as JavaScript's toFixed. */
  static String fixed(double v, int decimals) {
    if (!Double.isFinite(v)) {
      return Double.toString(v);
    }
    return new BigDecimal(v).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
  }

  /** A fraction as AgentDB prints a success rate: {@code 85.0%}. */
  static String percent(double fraction) {
    return fixed(fraction * 100, 1) + "%";
  }
}
