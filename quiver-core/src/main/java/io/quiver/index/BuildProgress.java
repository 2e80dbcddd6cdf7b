package io.quiver.index;

/** Receives progress of a bulk build; called from build threads, so implementations must be thread-safe. */
@FunctionalInterface
public interface BuildProgress {
  BuildProgress NONE = (done, total) -> {};

  void update(long done, long total);
}
