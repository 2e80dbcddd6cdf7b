package io.quiver.calibration;

import io.quiver.QuiverException;
import io.quiver.collection.CollectionConfig;
import io.quiver.storage.AtomicFiles;
import io.quiver.storage.CorruptFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The calibrations of one collection's vector fields, at most one per field, kept in {@link #FILE} in the collection
 * directory (replaced atomically on every change, so it survives reopen; snapshots carry it). A calibration applies
 * only while its field exists as it was calibrated (same kind, metric and size): otherwise it is not returned, and
 * the next write of the file leaves it out. The file is derived data: a damaged one is logged and read as empty
 * (calibrate again), never a reason to refuse the collection.
 */
public final class CalibrationStore {
  private static final System.Logger LOG = System.getLogger("io.quiver.calibration");
  /** The file name inside the collection directory. */
  public static final String FILE = "calibration.bin";

  private final Path file;
  private final Supplier<CollectionConfig> config;
  /** Field to calibration, as last read or written; null until first used. Replaced whole, never mutated. */
  private volatile Map<String, Calibration> byField;

  /** The store of the collection in {@code dir}, whose configuration {@code config} gives as it changes. */
  public CalibrationStore(Path dir, Supplier<CollectionConfig> config) {
    this.file = dir.resolve(FILE);
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * What is wrong with the calibration file in collection directory {@code dir} (read-only, for {@code quiver
   * check}), or null when it is absent or sound.
   */
  public static String check(Path dir) {
    try {
      CalibrationCodec.decode(Files.readAllBytes(dir.resolve(FILE)));
      return null;
    } catch (NoSuchFileException e) {
      return null;
    } catch (CorruptFileException e) {
      return e.problem();
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    }
  }

  /** The calibration of {@code field}, or null when there is none or its field has changed since. */
  public Calibration get(String field) {
    Calibration c = loaded().get(field);
    return c != null && c.matches(config.get()) ? c : null;
  }

  /** The calibrations that still apply, by field name. */
  public List<Calibration> all() {
    CollectionConfig now = config.get();
    return loaded().values().stream().filter(c -> c.matches(now)).toList();
  }

  /**
   * Stores {@code calibration}, replacing any of its field.
   *
   * @throws QuiverException.InvalidInput when its field does not exist as calibrated
   */
  public synchronized void put(Calibration calibration) throws IOException {
    if (!calibration.matches(config.get())) {
      throw new QuiverException.InvalidInput("vector field '" + calibration.field() + "' has changed since it was"
          + " calibrated, or does not exist");
    }
    Map<String, Calibration> next = current();
    next.put(calibration.field(), calibration);
    write(next);
  }

  /** Drops the calibration of {@code field}; false when there was none. */
  public synchronized boolean remove(String field) throws IOException {
    Map<String, Calibration> next = current();
    boolean had = next.remove(field) != null;
    if (had) {
      write(next);
    }
    return had;
  }

  /** Drops every calibration; returns how many applied. */
  public synchronized int clear() throws IOException {
    int n = current().size();
    write(new TreeMap<>());
    return n;
  }

  /** A mutable copy of the calibrations that still apply. */
  private Map<String, Calibration> current() {
    Map<String, Calibration> m = new TreeMap<>();
    all().forEach(c -> m.put(c.field(), c));
    return m;
  }

  private void write(Map<String, Calibration> next) throws IOException {
    if (next.isEmpty()) {
      Files.deleteIfExists(file);
    } else {
      AtomicFiles.write(file, CalibrationCodec.encode(new ArrayList<>(next.values())));
    }
    byField = Collections.unmodifiableSortedMap(new TreeMap<>(next));
  }

  private Map<String, Calibration> loaded() {
    Map<String, Calibration> m = byField;
    if (m == null) {
      synchronized (this) {
        m = byField;
        if (m == null) {
          m = read();
          byField = m;
        }
      }
    }
    return m;
  }

  private Map<String, Calibration> read() {
    TreeMap<String, Calibration> m = new TreeMap<>();
    try {
      for (Calibration c : CalibrationCodec.decode(Files.readAllBytes(file))) {
        m.put(c.field(), c);
      }
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (CorruptFileException e) {
      LOG.log(System.Logger.Level.WARNING, file + ": " + e.problem() + "; its calibrations are ignored until the"
          + " next calibration replaces the file");
      return Map.of();
    } catch (IOException e) {
      throw new QuiverException.Storage("cannot read " + file, e);
    }
    return Collections.unmodifiableSortedMap(m);
  }
}
