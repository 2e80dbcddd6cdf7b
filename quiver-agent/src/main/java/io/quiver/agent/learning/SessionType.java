package io.quiver.agent.learning;

import io.quiver.QuiverException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The learning algorithms a session can run. Only these are implemented; the other names AgentDB lists (dqn,
 * policy-gradient, actor-critic, ppo, decision-transformer, mcts, model-based) need function approximation or a model
 * of the environment, and are refused rather than mapped onto a table.
 */
public enum SessionType {
  /** Tabular Q-learning: off-policy, bootstraps from the best action value of the next state. */
  Q_LEARNING("q-learning"),
  /** Tabular SARSA: on-policy, bootstraps from the value of the next action actually taken. */
  SARSA("sarsa"),
  /** A multi-armed bandit per state, choosing arms by UCB1 over exact sample means. */
  BANDIT_UCB1("bandit-ucb1");

  private final String wireName;

  SessionType(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in requests and stored payloads. */
  public String wireName() {
    return wireName;
  }

  /** The supported names, in declaration order. */
  public static List<String> supported() {
    return Arrays.stream(values()).map(SessionType::wireName).toList();
  }

  /**
   * The type named {@code name} ({@code path} names the field in errors).
   *
   * @throws QuiverException.InvalidInput for a blank, unknown or unimplemented name
   */
  public static SessionType parse(String name, String path) {
    if (name == null || name.isBlank()) {
      throw new QuiverException.InvalidInput(path + " is required; supported: " + String.join(", ", supported()));
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (SessionType t : values()) {
      if (t.wireName.equals(n)) {
        return t;
      }
    }
    throw new QuiverException.InvalidInput(path + " '" + name + "' is not implemented; supported: "
        + String.join(", ", supported()));
  }
}
