package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.distance.Metric;
import io.quiver.storage.CorruptFileException;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PayloadLinks}: degrees and membership of built groups, the file round trip, and corrupt files rejected. */
class PayloadLinksFileTest extends RandomizedTest {
  @TempDir Path dir;

  private record Built(HnswIndex graph, PayloadLinks links, List<PayloadLinks.GroupSpec> specs) {}

  private Built build(Random rnd, int payloadM) {
    int n = 600 + rnd.nextInt(600);
    float[][] v = TestVectors.clustered(rnd, n, 8, 6);
    HnswIndex graph = new HnswIndex(8, Metric.L2, HnswConfig.builder().m(8).efConstruction(40).build());
    for (int i = 0; i < n; i++) {
      graph.add(i, v[i]);
    }
    List<PayloadLinks.GroupSpec> specs = new ArrayList<>();
    int[] a = java.util.stream.IntStream.range(0, n).filter(i -> i % 3 == 0).toArray();
    int[] b = java.util.stream.IntStream.range(0, n).filter(i -> rnd.nextInt(4) == 0).toArray();
    specs.add(new PayloadLinks.GroupSpec(new PayloadLinks.ValueKey("tenant", "a"), a));
    specs.add(new PayloadLinks.GroupSpec(new PayloadLinks.ValueKey("shard", 7L), b));
    return new Built(graph, PayloadLinks.build(graph, payloadM, specs), specs);
  }

  @Test
  void groupsLinkOnlyTheirMembersAndEveryMemberHasLinks() {
    Random rnd = random();
    int m = 4 + rnd.nextInt(12);
    Built b = build(rnd, m);
    for (PayloadLinks.GroupSpec spec : b.specs()) {
      PayloadLinks.Group g = b.links().group(spec.key().field(), spec.key().value());
      assertThat(g.size()).isEqualTo(spec.members().length);
      for (int member : spec.members()) {
        int[] links = g.linksOf(member);
        assertThat(links.length).isBetween(1, m);
        for (int l : links) {
          assertThat(Arrays.binarySearch(spec.members(), l)).as("link %d of %d", l, member).isNotNegative();
          assertThat(l).isNotEqualTo(member);
        }
      }
    }
    assertThat(b.links().group("tenant", "zzz")).isNull();
    assertThat(b.links().group("shard", 7L)).isNotNull();
  }

  @Test
  void roundTripKeepsEveryLinkAndCorruptionIsNamed() throws Exception {
    Random rnd = random();
    Built b = build(rnd, 6);
    Path file = dir.resolve("field-default" + PayloadLinks.EXTENSION);
    b.links().write(file);
    PayloadLinks read = PayloadLinks.read(file, b.graph());
    for (PayloadLinks.GroupSpec spec : b.specs()) {
      PayloadLinks.Group before = b.links().group(spec.key().field(), spec.key().value());
      PayloadLinks.Group after = read.group(spec.key().field(), spec.key().value());
      for (int member : spec.members()) {
        assertThat(after.linksOf(member)).isEqualTo(before.linksOf(member));
      }
    }
    assertThat(read.ramBytesUsed()).isEqualTo(b.links().ramBytesUsed());
    assertThat(read.sourceFields()).containsExactly("shard", "tenant");
    byte[] good = Files.readAllBytes(file);

    // a version 2 file (no field list; the CRC over header bytes 0..19 and the body) still reads, fields unknown
    byte[] v2 = Arrays.copyOf(good, good.length - (4 + 4 + "shard".length() + 4 + "tenant".length()));
    ByteBuffer h = ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(4, 2).putLong(24, v2.length - 32);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(v2, 0, 20);
    crc.update(v2, 32, v2.length - 32);
    h.putInt(20, (int) crc.getValue());
    Files.write(file, v2);
    PayloadLinks old = PayloadLinks.read(file, b.graph());
    assertThat(old.sourceFields()).isNull();
    assertThat(old.groupCount()).isEqualTo(read.groupCount());

    byte[] badMagic = good.clone();
    badMagic[0] ^= 1;
    Files.write(file, badMagic);
    assertThatThrownBy(() -> PayloadLinks.read(file, b.graph())).isInstanceOf(CorruptFileException.class)
        .hasMessageContaining(file.getFileName().toString()).hasMessageContaining("magic");

    Files.write(file, Arrays.copyOf(good, good.length - 1 - rnd.nextInt(good.length - 40)));
    assertThatThrownBy(() -> PayloadLinks.read(file, b.graph())).isInstanceOf(CorruptFileException.class)
        .hasMessageContaining("body of");

    byte[] otherCount = good.clone();
    ByteBuffer.wrap(otherCount).order(ByteOrder.LITTLE_ENDIAN).putInt(8, b.graph().size() + 1);
    Files.write(file, otherCount);
    assertThatThrownBy(() -> PayloadLinks.read(file, b.graph())).isInstanceOf(CorruptFileException.class)
        .hasMessageContaining("nodes");

    // payload_m and the group count are under the checksum too: a flipped payload_m passed every other check
    for (int at : new int[] {12, 16}) {
      byte[] flipped = good.clone();
      flipped[at] ^= (byte) (1 << rnd.nextInt(8));
      Files.write(file, flipped);
      assertThatThrownBy(() -> PayloadLinks.read(file, b.graph())).as("byte %d flipped", at)
          .isInstanceOf(CorruptFileException.class).hasMessageContaining("checksum");
    }
  }
}
