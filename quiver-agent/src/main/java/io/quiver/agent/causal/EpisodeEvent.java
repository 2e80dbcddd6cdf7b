package io.quiver.agent.causal;

/** One attempt as discovery reads it: task, outcome, the session it belongs to (null: none) and when (epoch ms). */
public record EpisodeEvent(String task, boolean success, double reward, String session, long ts) {}
