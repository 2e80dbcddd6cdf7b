package io.quiver.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.quiver.Quiver;
import io.quiver.storage.CorruptFileException;
import io.quiver.storage.AtomicFiles;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Qdrant's collection snapshot endpoints. Snapshots live in {@code <db>/snapshots/<collection>/<name>.snapshot}, each
 * with its SHA-256 in a {@code <name>.snapshot.checksum} sidecar; a snapshot being written or uploaded has a name
 * starting with '.' and is not listed. Recovery reads file:// locations inside the snapshots directory only, or
 * downloads http(s) ones (as Qdrant does). Deleting a collection moves its snapshots to
 * {@code <db>/snapshots/.deleted/<collection>-<time>/}: kept as backups (recoverable with a file:// location) but no
 * longer listed, so a new collection of the same name starts without them.
 */
final class SnapshotEndpoints {
  private static final Pattern SNAPSHOT_NAME = Pattern.compile("[A-Za-z0-9_\\-][A-Za-z0-9_.\\-]{0,250}\\.snapshot");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss-SSS")
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter CREATION_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
      .withZone(ZoneOffset.UTC);
  private static final Set<String> PRIORITIES = Set.of("no_sync", "snapshot", "replica");

  private static final System.Logger LOG = System.getLogger(SnapshotEndpoints.class.getName());
  private final Endpoints ep;
  private final Quiver db;
  private final ObjectMapper json;
  private final Path root;
  private final long maxUploadBytes;
  private volatile HttpClient httpClient;

  SnapshotEndpoints(Endpoints ep) {
    this.ep = ep;
    this.db = ep.db;
    this.json = ep.json;
    this.root = db.directory().resolve("snapshots").toAbsolutePath().normalize();
    this.maxUploadBytes = ep.config.maxSnapshotUploadBytes();
    removeLeftovers();
    retireDeleted();
  }

  /** Snapshots of collections deleted while no server ran (through the library) are retired as well. */
  private void retireDeleted() {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (var dirs = Files.list(root)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        String name = d.getFileName().toString();
        if (!name.startsWith(".") && !db.exists(name)) {
          retire(name);
        }
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "could not set aside the snapshots of deleted collections under " + root
          + ": " + e);
    }
  }

  /** Moves the snapshots of {@code collection}, just deleted, out of its listing (see the class comment). */
  synchronized void retire(String collection) throws IOException {
    Path dir = root.resolve(collection);
    if (!Files.isDirectory(dir)) {
      return;
    }
    Path deleted = Files.createDirectories(root.resolve(".deleted"));
    String base = collection + "-" + STAMP.format(Instant.now());
    Path target = deleted.resolve(base);
    for (int i = 1; Files.exists(target); i++) {
      target = deleted.resolve(base + "-" + i);
    }
    AtomicFiles.move(dir, target);
    LOG.log(System.Logger.Level.INFO, "collection " + collection + " is deleted: its snapshots are kept in " + target);
  }

  /** Uploads and snapshots a crash interrupted (hidden files) are never finished: delete them. */
  private void removeLeftovers() {
    try {
      AtomicFiles.deleteTree(root.resolve(".uploads"));
      if (Files.isDirectory(root)) {
        try (var dirs = Files.list(root)) {
          for (Path d : dirs.filter(Files::isDirectory).toList()) {
            try (var files = Files.list(d)) {
              for (Path f : files.filter(f -> f.getFileName().toString().startsWith(".")).toList()) {
                Files.deleteIfExists(f);
              }
            }
          }
        }
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "could not clean up unfinished snapshots under " + root + ": " + e);
    }
  }

  // ------------------------------------------------------------------ endpoints

  /** POST /collections/{name}/snapshots: always synchronous, whatever {@code wait} says. */
  JsonNode create(Call req) throws IOException, InterruptedException {
    String collection = existingCollection(req);
    Path dir = root.resolve(collection);
    Files.createDirectories(dir);
    Path file;
    Path tmp;
    synchronized (this) { // unique names; the slow part below runs outside the lock
      String base = collection + "-" + STAMP.format(Instant.now());
      file = dir.resolve(base + ".snapshot");
      for (int i = 1; Files.exists(file) || Files.exists(hidden(file)); i++) {
        file = dir.resolve(base + "-" + i + ".snapshot");
      }
      tmp = hidden(file);
      Files.createFile(tmp);
    }
    try {
      db.snapshot(collection, tmp);
      String sha = sha256(tmp);
      AtomicFiles.write(checksumFile(file), sha.getBytes(StandardCharsets.US_ASCII));
      AtomicFiles.move(tmp, file);
      return description(file, sha);
    } catch (IOException | InterruptedException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(checksumFile(file));
      throw e;
    }
  }

  /** GET /collections/{name}/snapshots. */
  JsonNode list(Call req) throws IOException {
    String collection = existingCollection(req);
    ArrayNode out = json.createArrayNode();
    Path dir = root.resolve(collection);
    if (!Files.isDirectory(dir)) {
      return out;
    }
    List<Path> files = new ArrayList<>();
    try (var entries = Files.list(dir)) {
      entries.filter(p -> SNAPSHOT_NAME.matcher(p.getFileName().toString()).matches()).forEach(files::add);
    }
    files.sort(Comparator.comparing((Path p) -> p.getFileName().toString()));
    for (Path f : files) {
      try {
        out.add(description(f, checksum(f)));
      } catch (NoSuchFileException e) {
        // deleted meanwhile
      }
    }
    return out;
  }

  /** The file behind GET /collections/{name}/snapshots/{snapshot}; 400 for a bad name, 404 when absent. */
  Path file(Call req) {
    Path f = root.resolve(existingCollection(req)).resolve(snapshotName(req));
    if (!Files.isRegularFile(f)) {
      throw new ApiError(404, "Not found: Snapshot `" + snapshotName(req) + "` doesn't exist");
    }
    return f;
  }

  /** GET /collections/{name}/snapshots/{snapshot}: streams the file; errors (bad name, missing) as JSON. */
  void download(ServerRequest req, ServerResponse res) throws IOException {
    long start = System.nanoTime();
    Path f;
    try {
      f = file(new HttpCall(req, ep));
    } catch (ApiError err) {
      ep.sendError(res, req, err, start);
      return;
    }
    res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
    res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + f.getFileName() + "\"");
    res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(Files.size(f)));
    try (OutputStream out = res.outputStream()) {
      Files.copy(f, out);
    }
  }

  /** DELETE /collections/{name}/snapshots/{snapshot}. */
  JsonNode delete(Call req) throws IOException {
    Path f = file(req);
    Files.delete(f);
    Files.deleteIfExists(checksumFile(f));
    AtomicFiles.syncDirectory(f.getParent());
    return json.getNodeFactory().booleanNode(true);
  }

  /** PUT /collections/{name}/snapshots/recover with {location: file:// URL in the snapshots directory, ...}. */
  JsonNode recover(Call req) throws IOException {
    String target = targetCollection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "location", "priority", "checksum", "api_key");
    String location = Json.stringField(body, "location", "body", null);
    if (location == null) {
      throw ApiError.badRequest("body.location: required");
    }
    priority(Json.stringField(body, "priority", "body", null), "body.priority");
    String expected = Json.stringField(body, "checksum", "body", null);
    URI uri;
    try {
      uri = new URI(location);
    } catch (URISyntaxException e) {
      throw ApiError.badRequest("body.location: not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("http") || scheme.equals("https")) {
      recoverFromUrl(target, uri, Json.stringField(body, "api_key", "body", null), expected);
      return json.getNodeFactory().booleanNode(true);
    }
    if (!scheme.equals("file")) {
      throw ApiError.badRequest("body.location: expected a file://, http:// or https:// URL, got " + location);
    }
    Path file;
    try {
      file = Path.of(uri).toAbsolutePath().normalize();
    } catch (IllegalArgumentException | FileSystemNotFoundException e) {
      throw ApiError.badRequest("body.location: not a file URL: " + location);
    }
    // like Qdrant, only snapshots the server made or keeps: no reading arbitrary files of the host
    if (!file.startsWith(root) || file.getFileName().toString().startsWith(".")) {
      throw ApiError.badRequest("body.location: the snapshot must be inside the snapshots directory " + root);
    }
    if (!Files.isRegularFile(file)) {
      throw new ApiError(404, "Not found: Snapshot file " + location + " does not exist");
    }
    if (!file.toRealPath().startsWith(root.toRealPath())) { // a symlink out of the directory
      throw ApiError.badRequest("body.location: the snapshot must be inside the snapshots directory " + root);
    }
    if (expected != null) {
      verifyChecksum(sha256(file), expected); // fresh, not the sidecar: the file may have changed since
    }
    restore(target, file);
    return json.getNodeFactory().booleanNode(true);
  }

  /** Downloads a snapshot (at most the upload limit) to a temporary file, then restores it. */
  private void recoverFromUrl(String target, URI uri, String apiKey, String expected) throws IOException {
    HttpRequest.Builder get = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30)).GET();
    if (apiKey != null) {
      get.header("api-key", apiKey);
    }
    Path tmp = uploadFile();
    try {
      MessageDigest md = sha256();
      HttpResponse<InputStream> res;
      try {
        res = http().send(get.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        throw ApiError.badRequest("body.location: could not download " + uri + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while downloading " + uri, e);
      }
      try (InputStream in = res.body()) {
        if (res.statusCode() != 200) {
          throw ApiError.badRequest("body.location: downloading " + uri + " answered HTTP " + res.statusCode());
        }
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), md)) {
          byte[] chunk = new byte[1 << 16];
          long total = 0;
          for (int n; (n = in.read(chunk)) > 0; ) {
            total += n;
            if (total > maxUploadBytes) {
              throw tooLarge();
            }
            out.write(chunk, 0, n);
          }
        }
      }
      if (expected != null) {
        verifyChecksum(HexFormat.of().formatHex(md.digest()), expected);
      }
      restore(target, tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private HttpClient http() {
    HttpClient c = httpClient;
    if (c == null) {
      synchronized (this) {
        if (httpClient == null) {
          httpClient = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
              .connectTimeout(Duration.ofSeconds(30)).build();
        }
        c = httpClient;
      }
    }
    return c;
  }

  private Path uploadFile() throws IOException {
    Path uploads = root.resolve(".uploads");
    Files.createDirectories(uploads);
    return Files.createTempFile(uploads, ".upload-", ".snapshot");
  }

  /** POST /collections/{name}/snapshots/upload: multipart/form-data, the archive in the field {@code snapshot}. */
  JsonNode upload(ServerRequest req) throws IOException {
    String target = targetCollection(new HttpCall(req, ep));
    priority(req.query().contains("priority") ? req.query().get("priority") : null, "priority");
    String expected = req.query().contains("checksum") ? req.query().get("checksum") : null;
    String boundary = MultipartReader.boundary(req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null));
    if (boundary == null) {
      throw ApiError.badRequest("expected a multipart/form-data body with a boundary");
    }
    if (req.headers().contentLength().orElse(0) > maxUploadBytes + (1 << 20)) {
      throw tooLarge();
    }
    Path tmp = uploadFile();
    try {
      MessageDigest md = sha256();
      boolean found = false;
      try (InputStream in = req.content().inputStream()) {
        MultipartReader parts = new MultipartReader(in, boundary);
        for (Map<String, String> h = parts.nextPart(); h != null; h = parts.nextPart()) {
          if (!found && "snapshot".equals(MultipartReader.fieldName(h))) {
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), md)) {
              parts.copyBody(out, maxUploadBytes);
            }
            found = true;
          }
        }
      } catch (MultipartReader.TooLarge e) {
        throw tooLarge();
      } catch (MultipartReader.Malformed e) {
        throw ApiError.badRequest("malformed multipart body: " + e.getMessage());
      }
      if (!found) {
        throw ApiError.badRequest("the multipart body has no `snapshot` field");
      }
      if (expected != null) {
        verifyChecksum(HexFormat.of().formatHex(md.digest()), expected);
      }
      restore(target, tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return json.getNodeFactory().booleanNode(true);
  }

  // ------------------------------------------------------------------ helpers

  private void restore(String collection, Path archive) throws IOException {
    try {
      db.restoreSnapshot(collection, archive, true);
    } catch (JacksonException | CorruptFileException | EOFException e) {
      throw ApiError.badRequest("the snapshot is not a valid collection snapshot: " + e.getMessage());
    }
  }

  private ApiError tooLarge() {
    return new ApiError(413, "Payload too large: the snapshot exceeds " + maxUploadBytes + " bytes");
  }

  private ObjectNode description(Path file, String sha) throws IOException {
    ObjectNode o = json.createObjectNode();
    o.put("name", file.getFileName().toString());
    o.put("creation_time", CREATION_TIME.format(Files.getLastModifiedTime(file).toInstant()));
    o.put("size", Files.size(file));
    o.put("checksum", sha);
    return o;
  }

  /** The stored SHA-256 of a snapshot, computing (and storing) it when the sidecar is missing. */
  private String checksum(Path file) throws IOException {
    Path side = checksumFile(file);
    if (Files.isRegularFile(side)) {
      String s = Files.readString(side, StandardCharsets.US_ASCII).strip();
      if (s.length() == 64) {
        return s;
      }
    }
    String sha = sha256(file);
    AtomicFiles.write(side, sha.getBytes(StandardCharsets.US_ASCII));
    return sha;
  }

  private static void verifyChecksum(String actual, String expected) {
    if (!actual.equalsIgnoreCase(expected.strip())) {
      throw ApiError.badRequest("Snapshot checksum mismatch: expected " + expected + ", got " + actual);
    }
  }

  private static void priority(String value, String path) {
    if (value != null && !PRIORITIES.contains(value.toLowerCase(Locale.ROOT))) {
      throw ApiError.badRequest(path + ": expected one of no_sync, snapshot, replica, got " + value);
    }
  }

  private static Path checksumFile(Path snapshot) {
    return snapshot.resolveSibling(snapshot.getFileName() + ".checksum");
  }

  private static Path hidden(Path snapshot) {
    return snapshot.resolveSibling("." + snapshot.getFileName() + ".creating");
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String snapshotName(Call req) {
    String s = req.pathParam("snapshot");
    if (s == null || s.contains("..") || !SNAPSHOT_NAME.matcher(s).matches()) {
      throw ApiError.badRequest("invalid snapshot name `" + s + "`");
    }
    return s;
  }

  /** The collection (alias resolved) that must exist. */
  private String existingCollection(Call req) {
    String name = req.pathParam("name");
    if (!db.exists(name)) {
      throw new ApiError(404, "Not found: Collection `" + name + "` doesn't exist!");
    }
    return db.collection(name).name();
  }

  /** The collection to restore into: need not exist; an alias restores into the collection it points at. */
  private String targetCollection(Call req) {
    String name = req.pathParam("name");
    return db.exists(name) ? db.collection(name).name() : name;
  }
}
