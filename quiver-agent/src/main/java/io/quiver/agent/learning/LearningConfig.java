package io.quiver.agent.learning;

import io.quiver.QuiverException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a learning session learns. Build with {@link #builder()} or parse a request's {@code config} object with
 * {@link #fromMap}; every value is checked, and an error names its JSON path.
 *
 * @param learningRate step size alpha of the temporal-difference update, in (0, 1]; UCB1 bandits keep exact sample
 *     means (step 1/n) and do not use it
 * @param discountFactor gamma, in [0, 1]
 * @param explorationRate epsilon of the epsilon-greedy choice {@link LearningSession#predict} makes, in [0, 1]
 * @param batchSize transitions per replay batch in {@code train}, >= 1
 * @param targetUpdateFrequency accepted for AgentDB's requests; a table needs no target network (replay computes a
 *     batch's targets from the table as it stood when the batch began)
 * @param initialValue the value of an action never tried in a state (the prior)
 * @param ucbC the exploration weight c of UCB1's index mean + c sqrt(ln N / n), > 0 (sqrt 2: Auer et al.)
 * @param actions actions known from the start (may be empty: actions become known as feedback names them)
 * @param conformalAlpha miscoverage of predictions' conformal intervals, in (0, 1)
 * @param calibrationWindow how many of the latest held-out residuals calibrate the interval, >= 1
 * @param seed seed of the epsilon-greedy draws and of replay's shuffling (null: derived from the session id)
 */
public record LearningConfig(double learningRate, double discountFactor, double explorationRate, int batchSize,
    int targetUpdateFrequency, double initialValue, double ucbC, List<String> actions, double conformalAlpha,
    int calibrationWindow, Long seed) {
  public static final LearningConfig DEFAULT = builder().build();

  public LearningConfig {
    check(learningRate > 0 && learningRate <= 1, "config.learning_rate", "in (0, 1]", learningRate);
    check(discountFactor >= 0 && discountFactor <= 1, "config.discount_factor", "in [0, 1]", discountFactor);
    check(explorationRate >= 0 && explorationRate <= 1, "config.exploration_rate", "in [0, 1]", explorationRate);
    check(batchSize >= 1, "config.batch_size", ">= 1", batchSize);
    check(targetUpdateFrequency >= 1, "config.target_update_frequency", ">= 1", targetUpdateFrequency);
    check(Double.isFinite(initialValue), "config.initial_value", "finite", initialValue);
    check(ucbC > 0 && Double.isFinite(ucbC), "config.ucb_c", "> 0 and finite", ucbC);
    check(conformalAlpha > 0 && conformalAlpha < 1, "config.conformal_alpha", "in (0, 1)", conformalAlpha);
    check(calibrationWindow >= 1 && calibrationWindow <= 100_000, "config.calibration_window", "in [1, 100000]",
        calibrationWindow);
    Set<String> distinct = new LinkedHashSet<>();
    List<String> given = actions == null ? List.of() : actions;
    for (int i = 0; i < given.size(); i++) {
      distinct.add(StateKeys.action(given.get(i), "config.actions[" + i + "]"));
    }
    actions = List.copyOf(distinct);
  }

  private static void check(boolean ok, String path, String range, Object value) {
    if (!ok) {
      throw new QuiverException.InvalidInput(path + " must be " + range + ", got " + value);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().learningRate(learningRate).discountFactor(discountFactor).explorationRate(explorationRate)
        .batchSize(batchSize).targetUpdateFrequency(targetUpdateFrequency).initialValue(initialValue).ucbC(ucbC)
        .actions(actions).conformalAlpha(conformalAlpha).calibrationWindow(calibrationWindow).seed(seed);
  }

  /**
   * Parses a request's {@code config} object (AgentDB's names; {@code epsilon} is accepted for
   * {@code exploration_rate}). {@code learning_rate} and {@code discount_factor} are required, as in AgentDB's
   * schema; unknown keys are refused so a misspelt parameter is not silently ignored.
   */
  public static LearningConfig fromMap(Map<String, ?> config) {
    if (config == null) {
      throw new QuiverException.InvalidInput("config is required (with learning_rate and discount_factor)");
    }
    Builder b = builder();
    for (String required : List.of("learning_rate", "discount_factor")) {
      if (config.get(required) == null) {
        throw new QuiverException.InvalidInput("config." + required + " is required");
      }
    }
    for (var e : config.entrySet()) {
      String path = "config." + e.getKey();
      Object v = e.getValue();
      if (v == null) {
        continue;
      }
      switch (e.getKey()) {
        case "learning_rate" -> b.learningRate(number(v, path));
        case "discount_factor" -> b.discountFactor(number(v, path));
        case "exploration_rate", "epsilon" -> b.explorationRate(number(v, path));
        case "batch_size" -> b.batchSize(integer(v, path));
        case "target_update_frequency" -> b.targetUpdateFrequency(integer(v, path));
        case "initial_value" -> b.initialValue(number(v, path));
        case "ucb_c" -> b.ucbC(number(v, path));
        case "conformal_alpha" -> b.conformalAlpha(number(v, path));
        case "calibration_window" -> b.calibrationWindow(integer(v, path));
        case "seed" -> b.seed(longValue(v, path));
        case "actions" -> b.actions(strings(v, path));
        default -> throw new QuiverException.InvalidInput(path + " is not a known parameter; known: learning_rate, "
            + "discount_factor, exploration_rate (epsilon), batch_size, target_update_frequency, initial_value, "
            + "ucb_c, actions, conformal_alpha, calibration_window, seed");
      }
    }
    return b.build();
  }

  /** The config as stored in a session's payload (the names {@link #fromMap} reads). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("learning_rate", learningRate);
    m.put("discount_factor", discountFactor);
    m.put("exploration_rate", explorationRate);
    m.put("batch_size", batchSize);
    m.put("target_update_frequency", targetUpdateFrequency);
    m.put("initial_value", initialValue);
    m.put("ucb_c", ucbC);
    m.put("actions", actions);
    m.put("conformal_alpha", conformalAlpha);
    m.put("calibration_window", calibrationWindow);
    if (seed != null) {
      m.put("seed", seed);
    }
    return m;
  }

  static double number(Object v, String path) {
    if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
      return n.doubleValue();
    }
    throw new QuiverException.InvalidInput(path + " must be a finite number, got " + v);
  }

  static int integer(Object v, String path) {
    double d = number(v, path);
    if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
      throw new QuiverException.InvalidInput(path + " must be an integer, got " + v);
    }
    return (int) d;
  }

  private static long longValue(Object v, String path) {
    if (v instanceof Long || v instanceof Integer || v instanceof Short) {
      return ((Number) v).longValue();
    }
    double d = number(v, path);
    if (d != Math.rint(d) || Math.abs(d) > 0x1p53) {
      throw new QuiverException.InvalidInput(path + " must be an integer, got " + v);
    }
    return (long) d;
  }

  private static List<String> strings(Object v, String path) {
    if (!(v instanceof List<?> list)) {
      throw new QuiverException.InvalidInput(path + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof String s)) {
        throw new QuiverException.InvalidInput(path + "[" + i + "] must be a string");
      }
      out.add(s);
    }
    return out;
  }

  public static final class Builder {
    private double learningRate = 0.1;
    private double discountFactor = 0.99;
    private double explorationRate = 0.1;
    private int batchSize = 32;
    private int targetUpdateFrequency = 100;
    private double initialValue;
    private double ucbC = Math.sqrt(2);
    private List<String> actions = List.of();
    private double conformalAlpha = 0.1;
    private int calibrationWindow = 500;
    private Long seed;

    public Builder learningRate(double v) {
      learningRate = v;
      return this;
    }

    public Builder discountFactor(double v) {
      discountFactor = v;
      return this;
    }

    public Builder explorationRate(double v) {
      explorationRate = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder targetUpdateFrequency(int v) {
      targetUpdateFrequency = v;
      return this;
    }

    public Builder initialValue(double v) {
      initialValue = v;
      return this;
    }

    public Builder ucbC(double v) {
      ucbC = v;
      return this;
    }

    public Builder actions(List<String> v) {
      actions = v;
      return this;
    }

    public Builder conformalAlpha(double v) {
      conformalAlpha = v;
      return this;
    }

    public Builder calibrationWindow(int v) {
      calibrationWindow = v;
      return this;
    }

    public Builder seed(Long v) {
      seed = v;
      return this;
    }

    public LearningConfig build() {
      return new LearningConfig(learningRate, discountFactor, explorationRate, batchSize, targetUpdateFrequency,
          initialValue, ucbC, actions, conformalAlpha, calibrationWindow, seed);
    }
  }
}
