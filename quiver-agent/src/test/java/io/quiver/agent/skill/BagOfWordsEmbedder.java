package io.quiver.agent.skill;

import io.quiver.text.DenseTextModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A deterministic test embedder: each lower-cased word adds 1 to the component its hash picks, then the vector is
 * scaled to unit length (a text without words maps to the first axis). Texts sharing words are closer.
 */
public final class BagOfWordsEmbedder implements DenseTextModel {
  private final int dimension;

  public BagOfWordsEmbedder(int dimension) {
    this.dimension = dimension;
  }

  @Override
  public String name() {
    return "test/bag-of-words-" + dimension;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    List<float[]> out = new ArrayList<>();
    for (String t : texts) {
      out.add(embed(t));
    }
    return out;
  }

  public float[] embed(String text) {
    float[] v = new float[dimension];
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        v[Math.floorMod(w.hashCode() * 0x9E3779B1, dimension)] += 1;
      }
    }
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    if (n == 0) {
      v[0] = 1;
      return v;
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] / Math.sqrt(n));
    }
    return v;
  }

  /** Cosine of two texts' vectors. */
  public double cosine(String a, String b) {
    float[] x = embed(a);
    float[] y = embed(b);
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += (double) x[i] * y[i];
    }
    return s;
  }
}
