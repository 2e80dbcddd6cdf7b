package io.quiver.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** bench-quant on small generated data: a row per mode, codes smaller than float32 vectors, recall kept. */
class QuantBenchCommandTest {
  @Test
  void everyModeIsMeasured() throws Exception {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = new CommandLine(new QuantBenchCommand()).execute("--synthetic", "2000", "--dim", "64", "--queries", "40",
          "--ef", "64", "--runs", "1", "--warmup", "0.2", "--modes", "float32,int8,float16,binary,pq8");
    } finally {
      System.setOut(saved);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    Matcher m = Pattern.compile("\"mode\":\"(\\w+)\",\"ef\":64,\"recall\":([0-9.]+),.*\"codes_bytes_per_vector\":(\\d+)")
        .matcher(text);
    int rows = 0;
    while (m.find()) {
      rows++;
      String mode = m.group(1);
      double recall = Double.parseDouble(m.group(2));
      long codes = Long.parseLong(m.group(3));
      assertThat(recall).as(mode).isGreaterThan(0.8);
      if (mode.equals("float32")) {
        assertThat(codes).isZero();
      } else {
        assertThat(codes).as(mode + " codes are smaller than the 256-byte float32 vector").isPositive()
            .isLessThan(256 + 16);
      }
    }
    assertThat(rows).as(text).isEqualTo(5);
  }
}
