package io.quiver.agent.embed;

/**
 * MurmurHash3 x86 32-bit over bytes, written out here so a feature's bucket depends only on its bytes and the seed:
 * the same on every JVM and platform (unlike {@link String#hashCode()} mixing, which is stable but clusters short
 * strings, or any hash seeded per process).
 */
final class Murmur3 {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private Murmur3() {}

  static int hash32(byte[] data, int seed) {
    int h = seed;
    int n = data.length;
    int blocks = n >>> 2;
    for (int i = 0; i < blocks; i++) {
      int j = i << 2;
      int k = (data[j] & 0xff) | (data[j + 1] & 0xff) << 8 | (data[j + 2] & 0xff) << 16 | (data[j + 3] & 0xff) << 24;
      h ^= mixK(k);
      h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
    }
    int tail = blocks << 2;
    int rest = n & 3;
    if (rest > 0) {
      int k = 0;
      for (int i = rest - 1; i >= 0; i--) {
        k = (k << 8) | (data[tail + i] & 0xff);
      }
      h ^= mixK(k);
    }
    h ^= n;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  private static int mixK(int k) {
    k *= C1;
    k = Integer.rotateLeft(k, 15);
    return k * C2;
  }
}
