package io.quiver.index;

/** Decides which ordinals a search may return. Indexes still route through rejected ordinals. */
@FunctionalInterface
public interface OrdinalFilter {
  boolean accept(int ordinal);
}
