package io.quiver.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * JVector logs through SLF4J: with no provider on the class path SLF4J prints a three-line "no providers" warning
 * at every start of a bench and drops the log. The bench jar routes it to java.util.logging like the rest.
 */
class Slf4jBindingTest {
  @Test
  void slf4jHasAProviderThatWritesToJavaUtilLogging() {
    String factory = LoggerFactory.getILoggerFactory().getClass().getName();
    assertThat(factory).doesNotContain("NOP").contains("JDK14");
  }
}
