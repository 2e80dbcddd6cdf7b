package io.quiver.agent.learning;

import io.quiver.QuiverException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AgentDB's {@code reward_signal}: a reward in [0, 1] from an outcome. Components, each in [0, 1]: S = success,
 * T = target_achieved (default true), E = efficiency_score, Q = quality_score (defaults 0.5), and the time score
 * P = min(1, expected_time_ms / time_taken_ms) (1 when the times are not given: on time or faster scores 1).
 * <ul>
 *   <li>{@code standard}: 0.4 S + 0.2 T + 0.15 E + 0.15 Q + 0.1 P</li>
 *   <li>{@code sparse}: 1 when S and T, else 0</li>
 *   <li>{@code dense}: the mean of S, T, E, Q, P</li>
 *   <li>{@code shaped}: 0.6 + 0.4 m on success, 0.3 m on failure, m = mean(E, Q, P): a failure never outranks a
 *       success, and among each the better-run outcome earns more</li>
 * </ul>
 */
public final class RewardFunction {
  private RewardFunction() {}

  public static RewardSignal compute(Long episodeId, boolean success, Boolean targetAchieved, Double efficiency,
      Double quality, Double timeTakenMs, Double expectedTimeMs, String function) {
    double s = success ? 1 : 0;
    double t = targetAchieved == null || targetAchieved ? 1 : 0;
    double e = unit(efficiency, "efficiency_score");
    double q = unit(quality, "quality_score");
    if ((timeTakenMs == null) != (expectedTimeMs == null)) {
      throw new QuiverException.InvalidInput("time_taken_ms and expected_time_ms must be given together");
    }
    double p = 1;
    if (timeTakenMs != null) {
      if (!(timeTakenMs >= 0 && Double.isFinite(timeTakenMs))) {
        throw new QuiverException.InvalidInput("time_taken_ms must be a finite number >= 0, got " + timeTakenMs);
      }
      if (!(expectedTimeMs > 0 && Double.isFinite(expectedTimeMs))) {
        throw new QuiverException.InvalidInput("expected_time_ms must be a finite number > 0, got "
            + expectedTimeMs);
      }
      p = timeTakenMs == 0 ? 1 : Math.min(1, expectedTimeMs / timeTakenMs);
    }
    String f = function == null ? "standard" : function;
    double m = (e + q + p) / 3;
    double reward = switch (f) {
      case "standard" -> 0.4 * s + 0.2 * t + 0.15 * e + 0.15 * q + 0.1 * p;
      case "sparse" -> s * t;
      case "dense" -> (s + t + e + q + p) / 5;
      case "shaped" -> success ? 0.6 + 0.4 * m : 0.3 * m;
      default -> throw new QuiverException.InvalidInput("reward_function must be one of standard, sparse, dense, "
          + "shaped, got '" + f + "'");
    };
    Map<String, Double> c = new LinkedHashMap<>();
    c.put("success", s);
    c.put("target_achieved", t);
    c.put("efficiency", e);
    c.put("quality", q);
    c.put("time", p);
    return new RewardSignal(episodeId, f, reward, c, false);
  }

  private static double unit(Double v, String path) {
    if (v == null) {
      return 0.5;
    }
    if (!(v >= 0 && v <= 1)) {
      throw new QuiverException.InvalidInput(path + " must be in [0, 1], got " + v);
    }
    return v;
  }
}
