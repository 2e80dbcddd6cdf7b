package io.quiver.agent.skill;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Changes to a skill (null: unchanged). {@code metadata} is merged key by key into the stored metadata, or replaces
 * it when {@code replaceMetadata}. Usage statistics are not here: they change only through feedback.
 */
public record SkillUpdate(String name, String description, String code, ObjectNode signature, ObjectNode metadata,
    boolean replaceMetadata) {}
