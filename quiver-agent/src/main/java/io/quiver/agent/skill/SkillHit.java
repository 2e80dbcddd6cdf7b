package io.quiver.agent.skill;

/** A skill search result: cosine similarity of the task to the skill's text, and the ranking score. */
public record SkillHit(Skill skill, double similarity, double score) {}
