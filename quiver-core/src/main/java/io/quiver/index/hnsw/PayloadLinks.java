package io.quiver.index.hnsw;

import io.quiver.storage.CorruptFileException;
import io.quiver.storage.AtomicFiles;
import io.quiver.util.LongHeap;
import io.quiver.util.ScoredOrdinals;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;

/**
 * Payload-aware links (Qdrant's {@code payload_m}): for each value of an indexed keyword or integer field that many
 * points of a sealed segment share, a level-0 graph among those points only. A filter {@code match} on that value
 * accepts a subset of the group, which the global graph may not connect (the value's points are scattered through
 * it); the ACORN walk of {@link HnswIndex} follows these links beside the main ones, so it stays among the value's
 * points and reaches all of them.
 *
 * <p>A group is built like level 0 of the main graph, restricted to its members: members are inserted in ordinal order,
 * each with a beam search (width {@code efConstruction}) over the links of the members inserted before it, keeping
 * {@code payloadM} diverse neighbours with the main graph's heuristic and adding reverse links, pruned the same way
 * when full. A point with several values belongs to several groups, with one list in each.
 *
 * <p><b>File {@code <name>.plinks}</b>, little-endian, written whole and replaced atomically:
 * <pre>
 * header, 32 bytes
 *   0  int   magic 0x4B4C5051 ("QPLK" as bytes)
 *   4  int   version, 3
 *   8  int   node count: ordinals of the segment's graph (every member is below it)
 *  12  int   payloadM: most links a member keeps
 *  16  int   group count
 *  20  int   CRC32C of the body
 *  24  long  body length in bytes
 * body: per group, in this order
 *   int      field name length L, then L bytes of UTF-8
 *   byte     value kind: 0 keyword (then int length V and V bytes of UTF-8), 1 integer (then a long)
 *   int      member count n (at least 1)
 *   int[n]   members: ordinals, strictly ascending; the first is the group's entry point
 *   per member, n times: int link count c (0..payloadM), then int[c] links as member positions (0..n-1)
 * then (version 3) what the groups were drawn from, as the builder described it (collections write
 * {@code name:type} of each keyword or integer payload index)
 *   int      count F, then F times: int length L and L bytes of UTF-8, strictly ascending
 * </pre>
 * The CRC32C covers header bytes 0..19 and the body (version 1, still read, covered the body only; versions 1 and 2
 * do not record their fields: {@link #sourceFields()} is then null and the links count as built for unknown fields).
 * A file that fails any of these checks (magic, version, node count, CRC, lengths, ranges, order) is rejected with a
 * {@link CorruptFileException} naming it; a segment without the file has no payload links.
 */
public final class PayloadLinks {
  public static final String EXTENSION = ".plinks";
  static final int MAGIC = 0x4B4C5051;
  /**
   * 3: the body ends with the indexed fields the groups were drawn from. 2: the CRC covers the header's first 20 bytes
   * too (version 1 covered the body only). All three are read.
   */
  static final int VERSION = 3;
  static final int HEADER_BYTES = 32;
  /** Magic, version, node count, payload_m and group count: the header bytes version 2's CRC covers. */
  private static final int CHECKED_HEADER_BYTES = 20;
  private static final byte KEYWORD = 0;
  private static final byte INTEGER = 1;

  public static final PayloadLinks NONE = new PayloadLinks(0, 0, Map.of(), List.of());

  /** A field's value: a String (keyword) or Long (integer). */
  public record ValueKey(String field, Object value) {
    public ValueKey {
      if (!(value instanceof String) && !(value instanceof Long)) {
        throw new IllegalArgumentException("a payload link value is a String or Long, got " + value);
      }
    }
  }

  /** The points of one value to link: ordinals, ascending. */
  public record GroupSpec(ValueKey key, int[] members) {}

  /** The links among the points of one value; immutable. */
  public static final class Group {
    /** Ordinals, ascending. */
    final int[] members;
    /** Per member position, {@code [count, p1 .. pM]} with positions into {@link #members}. */
    final int[] slots;
    final int stride;

    Group(int[] members, int[] slots, int linksPerNode) {
      this.members = members;
      this.slots = slots;
      this.stride = 1 + linksPerNode;
    }

    /** The member's position, or a negative number when {@code ordinal} is not a member. */
    int position(int ordinal) {
      return Arrays.binarySearch(members, ordinal);
    }

    /** Where a walk over the group can start. */
    int entry() {
      return members[0];
    }

    public int size() {
      return members.length;
    }

    /** The linked members of {@code ordinal} (ordinals), for tests. */
    int[] linksOf(int ordinal) {
      int p = position(ordinal);
      if (p < 0) {
        return new int[0];
      }
      int base = p * stride;
      int[] out = new int[slots[base]];
      for (int i = 0; i < out.length; i++) {
        out[i] = members[slots[base + 1 + i]];
      }
      return out;
    }

    long ramBytes() {
      return 2 * 16 + 4L * members.length + 4L * slots.length + 32;
    }
  }

  private final int nodeCount;
  private final int payloadM;
  private final Map<ValueKey, Group> groups;
  /** The indexed payload fields the groups were drawn from, ascending; null when unknown (a version 1 or 2 file). */
  private final List<String> sourceFields;

  private PayloadLinks(int nodeCount, int payloadM, Map<ValueKey, Group> groups, List<String> sourceFields) {
    this.nodeCount = nodeCount;
    this.payloadM = payloadM;
    this.groups = groups;
    this.sourceFields = sourceFields;
  }

  /**
   * The indexed payload fields whose values the groups were drawn from (ascending), or null for links read from a
   * file written before they were recorded: a segment whose fields differ from its collection's payload schema needs
   * its links rebuilt (an index added after sealing has no groups yet).
   */
  public List<String> sourceFields() {
    return sourceFields;
  }

  /** The links of {@code field}'s value {@code value} (a String or Long), or null. */
  public Group group(String field, Object value) {
    return groups.isEmpty() ? null : groups.get(new ValueKey(field, value));
  }

  public int groupCount() {
    return groups.size();
  }

  public int payloadM() {
    return payloadM;
  }

  /** Heap bytes of the links (member lists and adjacency). */
  public long ramBytesUsed() {
    long bytes = 64;
    for (Group g : groups.values()) {
      bytes += g.ramBytes();
    }
    return bytes;
  }

  // ---------------------------------------------------------------- build

  /**
   * Links the members of each group of {@code specs} among themselves with {@code payloadM} links per member, over
   * the vectors of {@code graph} (which must hold every member). Groups are built in parallel.
   */
  static PayloadLinks build(HnswIndex graph, int payloadM, List<GroupSpec> specs) { // for tests
    return build(graph, payloadM, specs, specs.stream().map(g -> g.key().field()).distinct().sorted().toList());
  }

  /**
   * Links the members of each group of {@code specs} (see above), recording {@code sourceFields}: what the groups were
   * drawn from (the caller's description, compared as strings by whoever decides the links are stale).
   */
  public static PayloadLinks build(HnswIndex graph, int payloadM, List<GroupSpec> specs, List<String> sourceFields) {
    if (payloadM < 1) {
      throw new IllegalArgumentException("payloadM must be >= 1, got " + payloadM);
    }
    Group[] built = new Group[specs.size()];
    IntStream.range(0, specs.size()).parallel()
        .forEach(i -> built[i] = buildGroup(graph, payloadM, specs.get(i).members()));
    Map<ValueKey, Group> groups = new LinkedHashMap<>();
    for (int i = 0; i < built.length; i++) {
      groups.put(specs.get(i).key(), built[i]);
    }
    return new PayloadLinks(graph.ordinalLimit(), payloadM, groups,
        List.copyOf(new TreeSet<>(sourceFields)));
  }

  private static Group buildGroup(HnswIndex graph, int m, int[] members) {
    int n = members.length;
    int stride = 1 + m;
    int[] slots = new int[n * stride];
    int ef = Math.max(m, graph.config().efConstruction());
    float[] scratch = graph.newScratch();
    int[] visited = new int[n];
    int epoch = 0;
    LongHeap candidates = new LongHeap(64);
    LongHeap results = new LongHeap(64);
    long[] pool = new long[Math.max(ef, m) + 1];
    int[] selected = new int[m];
    for (int p = 1; p < n; p++) {
      int node = members[p];
      epoch++;
      candidates.clear();
      results.clear();
      long start = ScoredOrdinals.pack(graph.payloadLinkDistance(node, members[0], scratch), 0);
      visited[0] = epoch;
      candidates.push(start);
      results.push(~start);
      while (!candidates.isEmpty()) {
        long top = candidates.pop();
        if (results.size() >= ef && ScoredOrdinals.distance(top) > ScoredOrdinals.distance(~results.peek())) {
          break;
        }
        int base = ScoredOrdinals.ordinal(top) * stride;
        for (int i = 1, count = slots[base]; i <= count; i++) {
          int q = slots[base + i];
          if (visited[q] == epoch) {
            continue;
          }
          visited[q] = epoch;
          float d = graph.payloadLinkDistance(node, members[q], scratch);
          if (results.size() < ef || d < ScoredOrdinals.distance(~results.peek())) {
            long packed = ScoredOrdinals.pack(d, q);
            candidates.push(packed);
            if (results.size() < ef) {
              results.push(~packed);
            } else {
              results.replaceTop(~packed);
            }
          }
        }
      }
      // the heuristic works on ordinals (it measures candidate to candidate): translate positions both ways
      int found = 0;
      while (!results.isEmpty()) {
        long packed = ~results.pop();
        pool[found++] = ScoredOrdinals.pack(ScoredOrdinals.distance(packed), members[ScoredOrdinals.ordinal(packed)]);
      }
      int kept = graph.selectDiverseLinks(pool, found, node, m, selected, scratch);
      int base = p * stride;
      slots[base] = kept;
      for (int i = 0; i < kept; i++) {
        slots[base + 1 + i] = Arrays.binarySearch(members, selected[i]);
      }
      for (int i = 0; i < kept; i++) {
        addReverseLink(graph, members, slots, stride, m, slots[base + 1 + i], p, pool, scratch);
      }
    }
    return new Group(members, slots, m);
  }

  private static void addReverseLink(HnswIndex graph, int[] members, int[] slots, int stride, int m, int target,
      int added, long[] pool, float[] scratch) {
    int base = target * stride;
    int count = slots[base];
    if (count < m) {
      slots[base + 1 + count] = added;
      slots[base] = count + 1;
      return;
    }
    int self = members[target];
    for (int i = 0; i < count; i++) {
      int nb = members[slots[base + 1 + i]];
      pool[i] = ScoredOrdinals.pack(graph.payloadLinkDistance(self, nb, scratch), nb);
    }
    pool[count] = ScoredOrdinals.pack(graph.payloadLinkDistance(self, members[added], scratch), members[added]);
    int[] kept = new int[m];
    int n = graph.selectDiverseLinks(pool, count + 1, self, m, kept, scratch);
    slots[base] = n;
    for (int i = 0; i < n; i++) {
      slots[base + 1 + i] = Arrays.binarySearch(members, kept[i]);
    }
  }

  // ---------------------------------------------------------------- file

  /** Writes the links to {@code file} (atomically: temporary file, forced, renamed). */
  public void write(Path file) throws IOException {
    var body = new ByteArrayOutputStream();
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    for (Map.Entry<ValueKey, Group> e : groups.entrySet()) {
      byte[] field = e.getKey().field().getBytes(StandardCharsets.UTF_8);
      putInt(body, b, field.length);
      body.write(field);
      if (e.getKey().value() instanceof String s) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        body.write(KEYWORD);
        putInt(body, b, v.length);
        body.write(v);
      } else {
        body.write(INTEGER);
        b.clear();
        body.write(b.putLong((Long) e.getKey().value()).array(), 0, 8);
      }
      Group g = e.getValue();
      putInt(body, b, g.members.length);
      for (int o : g.members) {
        putInt(body, b, o);
      }
      for (int p = 0; p < g.members.length; p++) {
        int base = p * g.stride;
        for (int i = 0; i <= g.slots[base]; i++) {
          putInt(body, b, g.slots[base + i]);
        }
      }
    }
    putInt(body, b, sourceFields.size());
    for (String f : sourceFields) {
      byte[] name = f.getBytes(StandardCharsets.UTF_8);
      putInt(body, b, name.length);
      body.write(name);
    }
    byte[] bodyBytes = body.toByteArray();
    ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + bodyBytes.length).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(MAGIC).putInt(VERSION).putInt(nodeCount).putInt(payloadM).putInt(groups.size());
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, CHECKED_HEADER_BYTES);
    crc.update(bodyBytes);
    out.putInt((int) crc.getValue()).putLong(bodyBytes.length).put(bodyBytes);
    AtomicFiles.write(file, out.array());
  }

  private static void putInt(ByteArrayOutputStream out, ByteBuffer b, int v) {
    b.clear();
    out.write(b.putInt(v).array(), 0, 4);
  }

  /**
   * Reads what {@link #write} wrote for {@code graph}.
   *
   * @throws CorruptFileException naming the file and the first check it fails
   */
  public static PayloadLinks read(Path file, HnswIndex graph) throws IOException {
    int nodeCount = graph.ordinalLimit();
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < HEADER_BYTES) {
      throw new CorruptFileException(file, "payload links file of " + bytes.length + " bytes, shorter than its "
          + HEADER_BYTES + "-byte header");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int magic = in.getInt();
    int version = in.getInt();
    if (magic != MAGIC) {
      throw new CorruptFileException(file, String.format("not a payload links file (magic 0x%08X)", magic));
    }
    if (version < 1 || version > VERSION) {
      throw new CorruptFileException(file, "unsupported payload links version " + version + ", expected 1 to "
          + VERSION);
    }
    int count = in.getInt();
    int m = in.getInt();
    int groupCount = in.getInt();
    int bodyCrc = in.getInt();
    long bodyLength = in.getLong();
    if (count != nodeCount) {
      throw new CorruptFileException(file, "payload links for " + count + " nodes, the graph has " + nodeCount);
    }
    if (bodyLength != bytes.length - HEADER_BYTES) {
      throw new CorruptFileException(file, "body of " + (bytes.length - HEADER_BYTES) + " bytes, header says "
          + bodyLength);
    }
    CRC32C crc = new CRC32C();
    if (version >= 2) {
      crc.update(bytes, 0, CHECKED_HEADER_BYTES);
    }
    crc.update(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES);
    if ((int) crc.getValue() != bodyCrc) {
      throw new CorruptFileException(file, String.format("checksum 0x%08X, header says 0x%08X",
          (int) crc.getValue(), bodyCrc));
    }
    if (m < 1 || groupCount < 0) {
      throw new CorruptFileException(file, "payloadM " + m + ", group count " + groupCount);
    }
    Map<ValueKey, Group> groups = new LinkedHashMap<>();
    try {
      for (int gi = 0; gi < groupCount; gi++) {
        String field = new String(bytes(in), StandardCharsets.UTF_8);
        byte kind = in.get();
        Object value = switch (kind) {
          case KEYWORD -> new String(bytes(in), StandardCharsets.UTF_8);
          case INTEGER -> in.getLong();
          default -> throw new CorruptFileException(file, "group " + gi + " has value kind " + kind);
        };
        int n = in.getInt();
        if (n < 1 || n > count) {
          throw new CorruptFileException(file, "group " + gi + " has " + n + " members");
        }
        int[] members = new int[n];
        for (int i = 0; i < n; i++) {
          members[i] = in.getInt();
          if (members[i] < 0 || members[i] >= count || (i > 0 && members[i] <= members[i - 1])) {
            throw new CorruptFileException(file, "group " + gi + " member " + i + " is " + members[i]
                + ": members must ascend within 0.." + (count - 1));
          }
        }
        int[] slots = new int[n * (1 + m)];
        for (int p = 0; p < n; p++) {
          int c = in.getInt();
          if (c < 0 || c > m) {
            throw new CorruptFileException(file, "group " + gi + " member " + p + " has " + c + " links, at most "
                + m + " allowed");
          }
          int base = p * (1 + m);
          slots[base] = c;
          for (int i = 1; i <= c; i++) {
            int link = in.getInt();
            if (link < 0 || link >= n) {
              throw new CorruptFileException(file, "group " + gi + " member " + p + " links to position " + link
                  + ", outside 0.." + (n - 1));
            }
            slots[base + i] = link;
          }
        }
        groups.put(new ValueKey(field, value), new Group(members, slots, m));
      }
    } catch (BufferUnderflowException | NegativeArraySizeException e) {
      throw new CorruptFileException(file, "body ends inside group " + groups.size(), e);
    }
    List<String> sourceFields = null;
    if (version >= 3) {
      try {
        int f = in.getInt();
        if (f < 0 || f > in.remaining()) {
          throw new CorruptFileException(file, "field count " + f);
        }
        ArrayList<String> names = new ArrayList<>(f);
        for (int i = 0; i < f; i++) {
          names.add(new String(bytes(in), StandardCharsets.UTF_8));
          if (i > 0 && names.get(i).compareTo(names.get(i - 1)) <= 0) {
            throw new CorruptFileException(file, "field names out of order at " + i);
          }
        }
        sourceFields = List.copyOf(names);
      } catch (BufferUnderflowException e) {
        throw new CorruptFileException(file, "body ends inside the field names", e);
      }
    }
    if (in.hasRemaining()) {
      throw new CorruptFileException(file, in.remaining() + " bytes after the last group");
    }
    return new PayloadLinks(count, m, groups, sourceFields);
  }

  private static byte[] bytes(ByteBuffer in) {
    int n = in.getInt();
    if (n < 0 || n > in.remaining()) {
      throw new BufferUnderflowException();
    }
    byte[] out = new byte[n];
    in.get(out);
    return out;
  }
}
