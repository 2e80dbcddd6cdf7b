package io.quiver.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.lucene.util.StringHelper;
import org.junit.jupiter.api.Test;

class TokenIdsTest {
  @Test
  void luceneMurmur3IsPythonMmh3() {
    // mmh3's own documentation: mmh3.hash("foo") == -156908512, mmh3.hash("foo", 42) == -1322301282
    assertThat(TokenIds.murmur3("foo")).isEqualTo(-156908512);
    byte[] foo = "foo".getBytes(StandardCharsets.UTF_8);
    assertThat(StringHelper.murmurhash3_x86_32(foo, 0, foo.length, 42)).isEqualTo(-1322301282);
  }

  @Test
  void knownTokenIds() {
    // from an independent MurmurHash3_x86_32 implementation that reproduces the two documented mmh3 values above
    assertThat(TokenIds.murmur3("hello")).isEqualTo(613153351);
    assertThat(TokenIds.of("hello")).isEqualTo(613153351);
    assertThat(TokenIds.murmur3("fox")).isEqualTo(-1621867415);
    assertThat(TokenIds.of("fox")).isEqualTo(1621867415);
    assertThat(TokenIds.of("world")).isEqualTo(74040069);
    assertThat(TokenIds.of("café")).as("hashed as UTF-8 bytes").isEqualTo(605818632);
  }

  @Test
  void absOfMinValueIsTwoToThe31Unsigned() {
    assertThat(Integer.toUnsignedLong(Math.abs(Integer.MIN_VALUE))).isEqualTo(1L << 31);
  }
}
