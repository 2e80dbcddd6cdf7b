package io.quiver.agent.skill;

/** A directed relationship between two skills, e.g. {@code prerequisite} or {@code composes}. */
public record SkillLink(long parentId, long childId, String relationship, double weight) {}
