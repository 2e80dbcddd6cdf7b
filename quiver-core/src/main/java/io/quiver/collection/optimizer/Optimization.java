package io.quiver.collection.optimizer;

import java.io.IOException;

/** One kind of background maintenance of a collection's segments; the {@link Optimizer} runs one step at a time. */
public interface Optimization {
  /** Does one step if there is one to do; false when there is nothing to do (or it cannot be done yet). */
  boolean runOnce() throws IOException;
}
