package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.testing.RandomizedTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, simulated with a file-size limit ({@code ulimit -f}: writes past it fail with EFBIG, as ENOSPC would):
 * the failing write is refused with a clear error, everything acknowledged before stays readable, and a reopen
 * without the limit finds every acknowledged point.
 */
@ExtendWith(RandomizedTest.SeedReporter.class)
class DiskFullTest extends RandomizedTest {
  @TempDir Path dir;

  @Test
  void writesFailCleanlyAndAcknowledgedDataSurvives() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh for ulimit");
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("full", CollectionCrashChild.config(false));
      for (long id = 0; id < 100; id++) {
        c.upsert(CollectionCrashChild.densePoint(id, 1, CollectionCrashChild.payload(id, 1)));
      }
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp = System.getProperty("java.class.path");
    int limitKb = 512 + random().nextInt(1024);
    Process child = new ProcessBuilder("/bin/sh", "-c", "ulimit -f " + limitKb + " && exec \"$0\" -cp \"$1\" "
        + DiskFullChild.class.getName() + " \"$2\"", java, cp, dir.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<Long> acked = new ArrayList<>();
    List<String> other = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("ACK ")) {
          acked.add(Long.parseLong(line.substring(4)));
        } else {
          other.add(line);
        }
      }
    }
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(other).as("child output").anySatisfy(l -> assertThat(l)
        .startsWith("ERR io.quiver.QuiverException$Storage").contains("nothing was changed"));
    assertThat(other).contains("READ-OK " + acked.size() + " of " + acked.size(), "DONE");
    assertThat(acked).as("some writes succeeded before the limit").isNotEmpty();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("full");
      for (long id : acked) {
        PointRecord r = c.get(PointId.of(id));
        assertThat(r).as("acknowledged point %d", id).isNotNull();
        assertThat(r.payload().toString()).isEqualTo(CollectionCrashChild.payload(id, 1).toString());
        assertThat(r.vectors().get(CollectionCrashChild.DENSE)).containsExactly(CollectionCrashChild.vector(id, 1));
      }
      long extra = c.count() - 100 - acked.size();
      assertThat(extra).as("points beyond those acknowledged (at most the refused batch is absent)").isZero();
    }
  }
}
