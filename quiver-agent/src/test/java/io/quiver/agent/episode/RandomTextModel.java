package io.quiver.agent.episode;

import io.quiver.text.DenseTextModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A test embedder whose vectors are random per text (seeded by it): dense similarity carries no word overlap. */
public final class RandomTextModel implements DenseTextModel {
  private final int dimension;

  public RandomTextModel(int dimension) {
    this.dimension = dimension;
  }

  @Override
  public String name() {
    return "test/random";
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    List<float[]> out = new ArrayList<>();
    for (String t : texts) {
      Random r = new Random(t.hashCode());
      float[] v = new float[dimension];
      double n = 0;
      for (int i = 0; i < dimension; i++) {
        v[i] = (float) r.nextGaussian();
        n += v[i] * v[i];
      }
      for (int i = 0; i < dimension; i++) {
        v[i] /= (float) Math.sqrt(n);
      }
      out.add(v);
    }
    return out;
  }
}
