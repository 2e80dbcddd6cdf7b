package io.quiver.text;

import java.nio.charset.StandardCharsets;
import org.apache.lucene.util.StringHelper;

/**
 * Token ids of Qdrant's and FastEmbed's BM25: the absolute value of the signed 32-bit MurmurHash3 (x86, seed 0) of
 * the token's UTF-8 bytes, the function Python's {@code mmh3.hash(token)} and Rust's {@code murmur3_32_of_slice}
 * compute. {@code Math.abs(Integer.MIN_VALUE)} stays {@code Integer.MIN_VALUE}, which read unsigned is 2^31: the same
 * id as Rust's {@code (h as i32).unsigned_abs()} and Python's {@code abs()}.
 */
public final class TokenIds {
  private TokenIds() {}

  /** Signed MurmurHash3 x86 32 of the token's UTF-8 bytes with seed 0. */
  public static int murmur3(String token) {
    byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
    return StringHelper.murmurhash3_x86_32(utf8, 0, utf8.length, 0);
  }

  /** The sparse index of a token: {@code |murmur3(token)|}, unsigned. */
  public static int of(String token) {
    return Math.abs(murmur3(token));
  }
}
