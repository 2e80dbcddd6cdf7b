package io.quiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.ConfigCodec;
import io.quiver.collection.MemoryBudget;
import io.quiver.collection.WorkerPool;
import io.quiver.storage.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * A Quiver database: a directory of collections. {@code Quiver.open(path)} opens (or creates) it and every collection
 * in it, recovering each from its write-ahead log; {@link #close()} flushes and closes them. One process at a time
 * may open a directory (an OS file lock enforces it).
 *
 * <pre>{@code
 * try (Quiver db = Quiver.open(Path.of("quiver-data"))) {
 *   Collection c = db.createCollection("docs", CollectionConfig.of(VectorParams.of(384, Metric.COSINE)));
 *   c.upsert(Point.of(1, vector, payload));
 *   List<ScoredPoint> hits = c.search(SearchRequest.builder(query).limit(10).build());
 * }
 * }</pre>
 *
 * <p>{@link #builder(Path)} opens with options: {@code Quiver.builder(dir).memoryBudget(2L << 30).open()} keeps the
 * heap the collections hold under 2 GiB (see {@link MemoryBudget}).
 *
 * <p>Layout: {@code <root>/collections/<name>/} per collection (its {@code collection.json}, {@code wal/} and
 * {@code segments/}), {@code <root>/aliases.json}, and the lock file {@code <root>/.lock}.
 */
public final class Quiver implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("io.quiver");
  /** Heap a new, empty collection is admitted with: its first mutable segment's pages and log buffers. */
  private static final long NEW_COLLECTION_BYTES = 1L << 20;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_\\-][A-Za-z0-9_.\\-]{0,254}");

  private final Path root;
  private final Path collectionsDir;
  private final ObjectMapper json = new ObjectMapper();
  private final FileChannel lockChannel;
  private final FileLock lock;
  /** The graph-building threads every collection of the process shares; released (last one: shut down) on close. */
  private final WorkerPool.Lease workers = WorkerPool.acquire();
  private final Map<String, Collection> collections = new ConcurrentHashMap<>();
  private final Map<String, String> aliases = new TreeMap<>();
  private final MemoryBudget budget;
  private boolean closed;

  private Quiver(Path root, FileChannel lockChannel, FileLock lock, MemoryBudget budget) {
    this.root = root;
    this.budget = budget;
    this.collectionsDir = root.resolve("collections");
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Opens the database in {@code dir}, creating it if needed. */
  public static Quiver open(Path dir) throws IOException {
    return builder(dir).open();
  }

  /** Options for opening the database in {@code dir}. */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** How to open a database: its directory and memory budget. */
  public static final class Builder {
    private final Path dir;
    private long memoryBudget = MemoryBudget.UNLIMITED;

    private Builder(Path dir) {
      this.dir = dir;
    }

    /**
     * The most heap the collections may hold together (vectors, graphs, codes, payload indexes, caches); writes and
     * jobs that would grow past it are refused with {@link QuiverException.OverBudget}. 0 (the default): no limit.
     */
    public Builder memoryBudget(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("memory budget must be >= 0 bytes (0: none), got " + bytes);
      }
      memoryBudget = bytes;
      return this;
    }

    /** Opens (or creates) the database. */
    public Quiver open() throws IOException {
      return Quiver.open(dir, MemoryBudget.of(memoryBudget));
    }
  }

  private static Quiver open(Path dir, MemoryBudget budget) throws IOException {
    Files.createDirectories(dir.resolve("collections"));
    FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      throw new IOException(dir + " is already open in another Quiver instance or process");
    }
    Quiver q = new Quiver(dir, ch, lock, budget);
    try {
      q.load();
    } catch (IOException | RuntimeException e) {
      q.close();
      throw e;
    }
    return q;
  }

  private void load() throws IOException {
    try (var entries = Files.list(collectionsDir)) {
      for (Path p : entries.sorted().toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith(".replaced-")) {
          Path original = collectionsDir.resolve(n.substring(".replaced-".length()));
          if (!Files.exists(original)) {
            AtomicFiles.move(p, original); // a restore died between its two renames: keep the old collection
            String name = original.getFileName().toString();
            collections.put(name, openCollection(name, original));
            continue;
          }
        }
        if (n.startsWith(".")) {
          AtomicFiles.deleteTree(p); // an interrupted create, restore or delete
          continue;
        }
        collections.put(n, openCollection(n, p));
      }
    }
    Path aliasFile = root.resolve("aliases.json");
    if (Files.exists(aliasFile)) {
      JsonNode node = json.readTree(aliasFile.toFile());
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        var e = it.next();
        aliases.put(e.getKey(), e.getValue().asText());
      }
    }
  }

  private Collection openCollection(String name, Path dir) throws IOException {
    CollectionConfig config = ConfigCodec.fromJson(json.readTree(dir.resolve("collection.json").toFile()));
    return Collection.open(name, dir, config, json, workers.executor(), budget);
  }

  public Path directory() {
    return root;
  }

  /** The budget the collections' heap counts against (its limit and what they hold now). */
  public MemoryBudget memoryBudget() {
    return budget;
  }

  /** Creates a collection; fails if the name (or an alias) is taken. */
  public synchronized Collection createCollection(String name, CollectionConfig config) throws IOException {
    checkOpen();
    checkName(name, "collection");
    if (collections.containsKey(name) || aliases.containsKey(name)) {
      throw new QuiverException.AlreadyExists("collection " + name + " already exists");
    }
    budget.reserve(NEW_COLLECTION_BYTES, "creating collection " + name);
    Path tmp = collectionsDir.resolve(".creating-" + name);
    AtomicFiles.deleteTree(tmp);
    Files.createDirectories(tmp);
    AtomicFiles.write(tmp.resolve("collection.json"), json.writeValueAsBytes(ConfigCodec.toJson(config, json)));
    Path dir = collectionsDir.resolve(name);
    AtomicFiles.move(tmp, dir);
    Collection c = openCollection(name, dir);
    collections.put(name, c);
    LOG.log(System.Logger.Level.INFO, "created collection {0}", name);
    return c;
  }

  /** The collection called {@code nameOrAlias}, or {@link QuiverException.NotFound}. */
  public Collection collection(String nameOrAlias) {
    Collection c = collections.get(resolve(nameOrAlias));
    if (c == null) {
      throw new QuiverException.NotFound("collection " + nameOrAlias + " does not exist");
    }
    return c;
  }

  public boolean exists(String nameOrAlias) {
    return collections.containsKey(resolve(nameOrAlias));
  }

  public List<String> collectionNames() {
    return collections.keySet().stream().sorted().toList();
  }

  /** Deletes a collection and its files; returns false if it did not exist. */
  public synchronized boolean deleteCollection(String name) throws IOException {
    checkOpen();
    Collection c = collections.remove(name);
    if (c == null) {
      return false;
    }
    c.close();
    Path doomed = collectionsDir.resolve(".deleting-" + name);
    AtomicFiles.deleteTree(doomed);
    AtomicFiles.move(collectionsDir.resolve(name), doomed);
    AtomicFiles.deleteTree(doomed);
    if (aliases.values().removeIf(name::equals)) {
      saveAliases();
    }
    return true;
  }

  /** Renames a collection; aliases follow it. */
  public synchronized Collection renameCollection(String from, String to) throws IOException {
    checkOpen();
    checkName(to, "collection");
    Collection c = collections.get(from);
    if (c == null) {
      throw new QuiverException.NotFound("collection " + from + " does not exist");
    }
    if (collections.containsKey(to) || aliases.containsKey(to)) {
      throw new QuiverException.AlreadyExists("collection " + to + " already exists");
    }
    c.close();
    collections.remove(from);
    Path dir = collectionsDir.resolve(to);
    AtomicFiles.move(collectionsDir.resolve(from), dir);
    Collection renamed = openCollection(to, dir);
    collections.put(to, renamed);
    if (aliases.containsValue(from)) {
      aliases.replaceAll((a, target) -> target.equals(from) ? to : target);
      saveAliases();
    }
    return renamed;
  }

  /** Writes a consistent snapshot of a collection to the archive file {@code target} (see {@link Collection#snapshot}). */
  public void snapshot(String nameOrAlias, Path target) throws IOException, InterruptedException {
    collection(nameOrAlias).snapshot(target);
  }

  /**
   * Creates collection {@code name} from a snapshot archive; with {@code replace}, an existing collection of that
   * name is deleted first (only once the archive has been read in full and checked).
   */
  public synchronized Collection restoreSnapshot(String name, Path archive, boolean replace) throws IOException {
    checkOpen();
    checkName(name, "collection");
    if (aliases.containsKey(name)) {
      throw new QuiverException.AlreadyExists(name + " is an alias; restore under a collection name");
    }
    if (!replace && collections.containsKey(name)) {
      throw new QuiverException.AlreadyExists("collection " + name + " already exists");
    }
    Path tmp = collectionsDir.resolve(".restoring-" + name);
    AtomicFiles.deleteTree(tmp);
    Files.createDirectories(tmp);
    try {
      boolean sawConfig = false;
      try (var zip = new ZipInputStream(Files.newInputStream(archive))) {
        for (var entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
          Path out = tmp.resolve(entry.getName()).normalize();
          if (!out.startsWith(tmp) || entry.isDirectory()) {
            throw new QuiverException.InvalidInput("snapshot entry '" + entry.getName() + "' is not a collection file");
          }
          Files.createDirectories(out.getParent());
          Files.copy(zip, out);
          sawConfig |= entry.getName().equals("collection.json");
        }
      } catch (ZipException e) {
        throw new QuiverException.InvalidInput("snapshot " + archive + " is not a valid archive: " + e.getMessage());
      }
      if (!sawConfig) {
        throw new QuiverException.InvalidInput("snapshot " + archive + " has no collection.json");
      }
      try (var files = Files.walk(tmp)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          if (Files.isRegularFile(f)) {
            try (var ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
              ch.force(true);
            }
          } else {
            AtomicFiles.syncDirectory(f); // deepest first: each directory after its entries
          }
        }
      }
      // open it once where it is, so a damaged snapshot fails here and leaves any existing collection alone
      openCollection(name, tmp).close();
    } catch (IOException | RuntimeException e) {
      AtomicFiles.deleteTree(tmp);
      throw e;
    }
    Path dir = collectionsDir.resolve(name);
    Path replaced = collectionsDir.resolve(".replaced-" + name);
    Collection old = collections.remove(name);
    if (old != null) {
      // rename the old one aside first: a crash in between leaves it where load() puts it back; aliases stay
      old.close();
      AtomicFiles.deleteTree(replaced);
      AtomicFiles.move(dir, replaced);
    }
    AtomicFiles.move(tmp, dir);
    AtomicFiles.deleteTree(replaced);
    Collection c = openCollection(name, dir);
    collections.put(name, c);
    return c;
  }

  /** Points {@code alias} at {@code collection} (creating or moving it). */
  public synchronized void createAlias(String alias, String collection) throws IOException {
    checkOpen();
    checkAlias(alias, collection);
    aliases.put(alias, collection);
    saveAliases();
  }

  public synchronized boolean deleteAlias(String alias) throws IOException {
    checkOpen();
    if (aliases.remove(alias) == null) {
      return false;
    }
    saveAliases();
    return true;
  }

  /**
   * Applies {@code changes} in order, all or none: every step is checked against the aliases as the steps before it
   * leave them, and {@code aliases.json} is written once, only when every step is valid.
   *
   * @throws QuiverException.NotFound a collection to point at, or an alias to delete or rename, does not exist
   * @throws QuiverException.AlreadyExists a new alias name is taken by a collection
   * @throws QuiverException.InvalidInput a new alias name is not a valid name
   */
  public synchronized void updateAliases(List<AliasChange> changes) throws IOException {
    checkOpen();
    Map<String, String> next = new TreeMap<>(aliases);
    for (AliasChange change : changes) {
      switch (change) {
        case AliasChange.Create c -> {
          checkAlias(c.alias(), c.collection());
          next.put(c.alias(), c.collection());
        }
        case AliasChange.Delete d -> {
          if (next.remove(d.alias()) == null) {
            throw new QuiverException.NotFound("alias " + d.alias() + " does not exist");
          }
        }
        case AliasChange.Rename r -> {
          String target = next.remove(r.from());
          if (target == null) {
            throw new QuiverException.NotFound("alias " + r.from() + " does not exist");
          }
          checkAlias(r.to(), target);
          next.put(r.to(), target);
        }
      }
    }
    if (!next.equals(aliases)) {
      saveAliases(next);
      aliases.clear();
      aliases.putAll(next);
    }
  }

  private void checkAlias(String alias, String collection) {
    checkName(alias, "alias");
    if (!collections.containsKey(collection)) {
      throw new QuiverException.NotFound("collection " + collection + " does not exist");
    }
    if (collections.containsKey(alias)) {
      throw new QuiverException.AlreadyExists("a collection is called " + alias);
    }
  }

  /** Alias name to collection name. */
  public synchronized Map<String, String> aliases() {
    return Map.copyOf(aliases);
  }

  private synchronized String resolve(String nameOrAlias) {
    return aliases.getOrDefault(nameOrAlias, nameOrAlias);
  }

  private void saveAliases() throws IOException {
    saveAliases(aliases);
  }

  private void saveAliases(Map<String, String> content) throws IOException {
    ObjectNode node = json.createObjectNode();
    content.forEach(node::put);
    AtomicFiles.write(root.resolve("aliases.json"), json.writeValueAsBytes(node));
  }

  private static void checkName(String name, String what) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new QuiverException.InvalidInput(what + " name '" + name
          + "' must be 1-255 letters, digits, '_', '-' or '.', not starting with '.'");
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("Quiver at " + root + " is closed");
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    List<Exception> failures = new ArrayList<>();
    try {
      for (Collection c : collections.values()) {
        try {
          c.close();
        } catch (IOException | RuntimeException e) {
          failures.add(e);
        }
      }
      collections.clear();
    } finally {
      // whatever a collection's close threw, the worker lease and the directory lock are let go
      workers.close();
      try {
        lock.release();
      } finally {
        lockChannel.close();
      }
    }
    if (!failures.isEmpty()) {
      IOException e = new IOException("closing collections failed: " + failures.get(0).getMessage(), failures.get(0));
      failures.stream().skip(1).forEach(e::addSuppressed);
      throw e;
    }
  }
}
