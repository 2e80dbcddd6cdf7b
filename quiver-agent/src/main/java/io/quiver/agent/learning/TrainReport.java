package io.quiver.agent.learning;

import java.util.List;

/**
 * What a replay run measured.
 *
 * @param transitions transitions replayed per epoch
 * @param lossHistory per epoch, the mean squared TD error (target - Q before each update)
 * @param averageReward mean reward of the replayed transitions
 * @param convergence the largest |change| of any Q-value over the last epoch (0: a fixed point)
 */
public record TrainReport(String sessionId, int epochs, int batchSize, double learningRate, int transitions,
    List<Double> lossHistory, double averageReward, double convergence) {
  public TrainReport {
    lossHistory = List.copyOf(lossHistory);
  }

  /** The last epoch's loss (NaN with nothing replayed). */
  public double loss() {
    return lossHistory.isEmpty() ? Double.NaN : lossHistory.getLast();
  }
}
