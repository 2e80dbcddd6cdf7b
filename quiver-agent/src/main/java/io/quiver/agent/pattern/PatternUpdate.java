package io.quiver.agent.pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Changes to a pattern (null: unchanged); {@code metadata} merges into the stored metadata unless
 * {@code replaceMetadata}. Usage statistics change only through feedback.
 */
public record PatternUpdate(String taskType, String approach, List<String> tags, ObjectNode metadata,
    boolean replaceMetadata) {}
