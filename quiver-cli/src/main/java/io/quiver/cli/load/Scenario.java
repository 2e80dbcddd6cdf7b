package io.quiver.cli.load;

import java.util.Locale;

/** What the load test's workers send. */
enum Scenario {
  UNFILTERED, FILTERED, PING,
  /** GET / on the JDK's built-in com.sun.net.httpserver with virtual threads: the baseline Helidon is judged by. */
  PING_JDK,
  /** --upsert-points new points in --upsert-batch batches with wait=true into a fresh collection, each batch once. */
  UPSERT;

  String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  boolean ping() {
    return this == PING || this == PING_JDK;
  }

  /** A search over the loaded collection, with recall@k. */
  boolean search() {
    return this == UNFILTERED || this == FILTERED;
  }
}
