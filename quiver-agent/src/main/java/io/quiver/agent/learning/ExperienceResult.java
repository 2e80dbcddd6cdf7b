package io.quiver.agent.learning;

/**
 * A recorded experience: its seq in the session; {@code learned}: a learning session with that id learned from it
 * (otherwise it is stored for replay and metrics only).
 */
public record ExperienceResult(String sessionId, long seq, boolean learned, String state, String nextState) {}
