package io.quiver.agent.learning;

import io.quiver.text.DenseTextModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A tiny test embedder: each lower-cased word adds 1 to one of 32 hashed dimensions; unit length. */
final class HashingTextModel implements DenseTextModel {
  static final int DIM = 32;

  @Override
  public String name() {
    return "test-hashing-32";
  }

  @Override
  public int dimension() {
    return DIM;
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    List<float[]> out = new ArrayList<>();
    for (String t : texts) {
      float[] v = new float[DIM];
      for (String w : t.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
        if (!w.isEmpty()) {
          v[Math.floorMod(w.hashCode(), DIM)] += 1;
        }
      }
      double n = 0;
      for (float x : v) {
        n += x * x;
      }
      if (n == 0) {
        v[0] = 1;
        n = 1;
      }
      for (int i = 0; i < DIM; i++) {
        v[i] /= (float) Math.sqrt(n);
      }
      out.add(v);
    }
    return out;
  }
}
