package io.quiver.collection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.storage.AtomicFiles;
import io.quiver.storage.CorruptFileException;
import io.quiver.util.ConcurrentBitSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * {@code manifest.json}: which sealed segments make up the collection, up to which log record they hold every write
 * ({@code checkpoint_lsn}; recovery replays the log after it), and the deletes file with their tombstones. Replaced
 * atomically (write temp, fsync, rename, fsync directory); the file it names is the only truth, so a crash at any
 * point leaves either the old or the new set of segments.
 *
 * <p>Deletes files ({@code deletes-<generation>.bin}): magic "QDEL" | u32 version | u32 segments | per segment:
 * u64 id, u32 ordinals, u32 words, words x u64 bitset | u32 crc32c of everything before.
 */
record Manifest(long generation, long checkpointLsn, long nextSegmentId, List<Entry> segments, String deletesFile) {
  static final String FILE = "manifest.json";
  static final int FORMAT = 1;
  static final int DELETES_MAGIC = 0x4C454451; // "QDEL"

  record Entry(long id, int ordinals) {}

  static final Manifest EMPTY = new Manifest(0, 0, 0, List.of(), null);

  static Manifest read(Path dir, ObjectMapper json) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return EMPTY;
    }
    JsonNode root;
    try {
      root = json.readTree(file.toFile());
    } catch (IOException e) {
      throw new CorruptFileException(file, "unreadable manifest: " + e.getMessage());
    }
    if (root.path("format").asInt() != FORMAT) {
      throw new CorruptFileException(file, "unsupported manifest format " + root.path("format"));
    }
    List<Entry> segs = new ArrayList<>();
    for (JsonNode s : root.path("segments")) {
      segs.add(new Entry(s.path("id").asLong(), s.path("ordinals").asInt()));
    }
    return new Manifest(root.path("generation").asLong(), root.path("checkpoint_lsn").asLong(),
        root.path("next_segment_id").asLong(), segs, root.path("deletes").asText(null));
  }

  void write(Path dir, ObjectMapper json) throws IOException {
    AtomicFiles.write(dir.resolve(FILE), toBytes(json));
  }

  byte[] toBytes(ObjectMapper json) throws IOException {
    ObjectNode root = json.createObjectNode();
    root.put("format", FORMAT);
    root.put("generation", generation);
    root.put("checkpoint_lsn", checkpointLsn);
    root.put("next_segment_id", nextSegmentId);
    var arr = root.putArray("segments");
    for (Entry e : segments) {
      arr.addObject().put("id", e.id()).put("ordinals", e.ordinals());
    }
    if (deletesFile != null) {
      root.put("deletes", deletesFile);
    }
    return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
  }

  static String segmentDirName(long id) {
    return String.format("%020d", id);
  }

  /** Writes the tombstones of {@code segments} (id -> (ordinals, bits)) to a new deletes file, fsync'd. */
  static void writeDeletes(Path file, Map<Long, long[]> bitsById, Map<Long, Integer> ordinalsById)
      throws IOException {
    int size = 12 + 4;
    for (long[] words : bitsById.values()) {
      size += 16 + 8 * words.length;
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(DELETES_MAGIC).putInt(1).putInt(bitsById.size());
    for (var e : bitsById.entrySet()) {
      b.putLong(e.getKey()).putInt(ordinalsById.get(e.getKey())).putInt(e.getValue().length);
      for (long w : e.getValue()) {
        b.putLong(w);
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    // replaced atomically: a failed checkpoint may leave a manifest naming this generation already
    AtomicFiles.write(file, Arrays.copyOf(b.array(), b.position()));
  }

  static Map<Long, long[]> readDeletes(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 16 || b.getInt() != DELETES_MAGIC || b.getInt() != 1) {
      throw new CorruptFileException(file, "not a deletes file of version 1");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != b.getInt(bytes.length - 4)) {
      throw new CorruptFileException(file, "checksum mismatch (the file is damaged)");
    }
    int n = b.getInt();
    Map<Long, long[]> out = new HashMap<>();
    for (int i = 0; i < n; i++) {
      long id = b.getLong();
      b.getInt();
      long[] words = new long[b.getInt()];
      for (int w = 0; w < words.length; w++) {
        words[w] = b.getLong();
      }
      out.put(id, words);
    }
    return out;
  }

  /** The bits of {@code set} below {@code ordinals} as words. */
  static long[] words(ConcurrentBitSet set, int ordinals) {
    long[] words = new long[(ordinals + 63) >>> 6];
    for (int i = 0; i < ordinals; i++) {
      if (set.get(i)) {
        words[i >>> 6] |= 1L << i;
      }
    }
    return words;
  }
}
