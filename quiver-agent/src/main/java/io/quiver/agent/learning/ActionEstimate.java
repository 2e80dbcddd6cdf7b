package io.quiver.agent.learning;

/**
 * One action's standing in a state.
 *
 * @param action the action
 * @param value Q(s, a) (a bandit: the mean reward), or the prior when never tried
 * @param visits how often feedback named this action in this state
 * @param meanReward the mean immediate reward over those visits (NaN for none)
 * @param ucb UCB1's index for a bandit arm (+infinity for an untried arm), NaN for other session types
 */
public record ActionEstimate(String action, double value, long visits, double meanReward, double ucb) {}
