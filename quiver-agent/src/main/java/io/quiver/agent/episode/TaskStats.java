package io.quiver.agent.episode;

/** Outcomes of the episodes of one task (grouped by exact task text). */
public record TaskStats(String task, long attempts, long successes, double successRate, double avgReward,
    double avgLatencyMs) {}
