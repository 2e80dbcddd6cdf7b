package io.quiver.agent.learning;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A tool execution (AgentDB's {@code experience_record}): the state is {@code toolName} followed by
 * {@code stateBefore} as canonical JSON (keys sorted), the next state likewise from {@code stateAfter} (absent:
 * terminal), the action {@code action}.
 *
 * @param reward in [0, 1]
 * @param latencyMs >= 0, or null
 */
public record Experience(String sessionId, String toolName, String action, ObjectNode stateBefore,
    ObjectNode stateAfter, String outcome, double reward, boolean success, Double latencyMs, ObjectNode metadata) {}
