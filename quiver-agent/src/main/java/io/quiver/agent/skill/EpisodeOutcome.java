package io.quiver.agent.skill;

/** One attempt at a task, as consolidation reads it: whether it succeeded, its reward, and its critique and output. */
public record EpisodeOutcome(String task, boolean success, double reward, String critique, String output) {}
