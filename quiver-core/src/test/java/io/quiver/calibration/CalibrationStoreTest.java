package io.quiver.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.check.CheckReport;
import io.quiver.check.DatabaseChecker;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.collection.SparseVectorParams;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.storage.CorruptFileException;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationStoreTest extends RandomizedTest {
  @TempDir Path dir;

  private static CollectionConfig config() {
    return CollectionConfig.builder().vector("d", VectorParams.of(3, Metric.COSINE))
        .vector("e", VectorParams.of(3, Metric.L2)).sparseVector("s", SparseVectorParams.DEFAULT).build();
  }

  private static Calibration randomCalibration(Random rnd, String field, Calibration.Kind kind, Metric metric,
      int dim) {
    List<Calibration.Threshold> ts = new ArrayList<>();
    int n = 1 + rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      ts.add(new Calibration.Threshold((i + rnd.nextDouble()) / n * 0.99 + 0.001, (float) rnd.nextGaussian()));
    }
    return new Calibration(field, kind, metric, dim, 1 + rnd.nextInt(1000), 1 + rnd.nextInt(5000), rnd.nextInt(3),
        ts);
  }

  @Test
  void codecRoundTripsAndRefusesDamage() throws Exception {
    Random rnd = random();
    List<Calibration> cs = List.of(randomCalibration(rnd, "", Calibration.Kind.DENSE, Metric.DOT, 7),
        randomCalibration(rnd, "naïve field", Calibration.Kind.SPARSE, null, 0),
        randomCalibration(rnd, "e", Calibration.Kind.DENSE, Metric.L1, 3));
    byte[] bytes = CalibrationCodec.encode(cs);
    assertThat(CalibrationCodec.decode(bytes)).isEqualTo(cs);
    for (int i = 0; i < 20; i++) {
      byte[] bad = bytes.clone();
      int at = rnd.nextInt(bad.length);
      bad[at] ^= (byte) (1 << rnd.nextInt(8));
      assertThatThrownBy(() -> CalibrationCodec.decode(bad)).as("bit flipped at byte %d", at)
          .isInstanceOf(CorruptFileException.class);
    }
    byte[] cut = Arrays.copyOf(bytes, rnd.nextInt(bytes.length));
    assertThatThrownBy(() -> CalibrationCodec.decode(cut)).isInstanceOf(CorruptFileException.class);
  }

  @Test
  void survivesReopenAndSnapshotsAndRecalibrationReplaces() throws Exception {
    Random rnd = random();
    Path archive = dir.resolve("snap.zip");
    Calibration d;
    Calibration s = randomCalibration(rnd, "s", Calibration.Kind.SPARSE, null, 0);
    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      Collection c = db.createCollection("c", config());
      c.upsert(new Point(new PointId.Num(1), Map.of("d", new float[] {1, 0, 0}), null));
      assertThat(c.calibrations().all()).isEmpty();
      assertThat(c.calibrations().get("d")).isNull();
      c.calibrations().put(randomCalibration(rnd, "d", Calibration.Kind.DENSE, Metric.COSINE, 3));
      d = randomCalibration(rnd, "d", Calibration.Kind.DENSE, Metric.COSINE, 3);
      c.calibrations().put(d); // replaces the first
      c.calibrations().put(s);
      assertThat(c.calibrations().all()).containsExactly(d, s);
      c.snapshot(archive);
    }
    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      Collection c = db.collection("c");
      assertThat(c.calibrations().get("d")).isEqualTo(d);
      assertThat(c.calibrations().all()).containsExactly(d, s);
      assertThat(c.calibrations().remove("d")).isTrue();
      assertThat(c.calibrations().remove("d")).isFalse();
      assertThat(c.calibrations().all()).containsExactly(s);
      Collection restored = db.restoreSnapshot("r", archive, false);
      assertThat(restored.calibrations().all()).as("the snapshot's copy").containsExactly(d, s);
      assertThat(c.calibrations().clear()).isEqualTo(1);
      assertThat(Files.exists(dir.resolve("db/collections/c").resolve(CalibrationStore.FILE))).isFalse();
    }
    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      assertThat(db.collection("c").calibrations().all()).isEmpty();
      assertThat(db.collection("r").calibrations().all()).containsExactly(d, s);
    }
  }

  @Test
  void aCalibrationOfAFieldThatChangedOrIsGoneDoesNotApply() throws Exception {
    Random rnd = random();
    Path colDir = dir.resolve("col");
    Files.createDirectories(colDir);
    CollectionConfig[] now = {config()};
    CalibrationStore store = new CalibrationStore(colDir, () -> now[0]);
    Calibration d = randomCalibration(rnd, "d", Calibration.Kind.DENSE, Metric.COSINE, 3);
    Calibration e = randomCalibration(rnd, "e", Calibration.Kind.DENSE, Metric.L2, 3);
    store.put(d);
    store.put(e);
    assertThatThrownBy(() -> store.put(randomCalibration(rnd, "e", Calibration.Kind.DENSE, Metric.DOT, 3)))
        .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("'e'");
    assertThatThrownBy(() -> store.put(randomCalibration(rnd, "x", Calibration.Kind.SPARSE, null, 0)))
        .isInstanceOf(QuiverException.InvalidInput.class);
    // "d" gone, "e" recreated with another metric
    now[0] = CollectionConfig.builder().vector("e", VectorParams.of(3, Metric.DOT)).build();
    assertThat(store.get("d")).isNull();
    assertThat(store.get("e")).isNull();
    assertThat(store.all()).isEmpty();
    now[0] = config();
    assertThat(new CalibrationStore(colDir, () -> now[0]).all()).as("still on disk until the next write")
        .containsExactly(d, e);
    now[0] = CollectionConfig.builder().vector("d", VectorParams.of(3, Metric.COSINE)).build();
    Calibration d2 = randomCalibration(rnd, "d", Calibration.Kind.DENSE, Metric.COSINE, 3);
    store.put(d2);
    now[0] = config();
    assertThat(new CalibrationStore(colDir, () -> now[0]).all()).as("the next write left the stale one out")
        .containsExactly(d2);
  }

  @Test
  void quiverCheckNotesADamagedFileAndOpenIgnoresIt() throws Exception {
    Random rnd = random();
    Path root = dir.resolve("db");
    try (Quiver db = Quiver.open(root)) {
      db.createCollection("c", config()).calibrations()
          .put(randomCalibration(rnd, "d", Calibration.Kind.DENSE, Metric.COSINE, 3));
    }
    assertThat(DatabaseChecker.check(root, List.of()).findings()).isEmpty();
    Path file = root.resolve("collections/c").resolve(CalibrationStore.FILE);
    byte[] bytes = Files.readAllBytes(file);
    bytes[rnd.nextInt(bytes.length)] ^= 0x10;
    Files.write(file, bytes);
    CheckReport report = DatabaseChecker.check(root, List.of());
    assertThat(report.problems()).isEmpty();
    assertThat(report.findings()).singleElement().satisfies(f -> {
      assertThat(f.file()).isEqualTo(file);
      assertThat(f.message()).contains("ignored at open");
    });
    try (Quiver db = Quiver.open(root)) {
      assertThat(db.collection("c").calibrations().all()).isEmpty();
    }
  }

  @Test
  void aDamagedFileReadsAsEmptyAndTheNextCalibrationReplacesIt() throws Exception {
    Random rnd = random();
    CollectionConfig config = config();
    Files.write(dir.resolve(CalibrationStore.FILE), new byte[] {'Q', 'C', 'A', 'L', 9, 9, 9, 9, 0, 0, 0, 0, 1, 2,
        3, 4});
    CalibrationStore store = new CalibrationStore(dir, () -> config);
    assertThat(store.all()).isEmpty();
    Calibration d = randomCalibration(rnd, "d", Calibration.Kind.DENSE, Metric.COSINE, 3);
    store.put(d);
    assertThat(new CalibrationStore(dir, () -> config).get("d")).isEqualTo(d);
  }
}
