package io.quiver.index;

/** Random access to a batch of vectors to index; vector {@code i} is added under ordinal {@code i}. */
public interface VectorSource {
  int size();

  int dimension();

  /** Vector {@code i}; may be a shared buffer valid until the next call from the same thread. */
  float[] vector(int i);

  static VectorSource of(float[][] vectors) {
    int dim = vectors.length == 0 ? 0 : vectors[0].length;
    return new VectorSource() {
      @Override
      public int size() {
        return vectors.length;
      }

      @Override
      public int dimension() {
        return dim;
      }

      @Override
      public float[] vector(int i) {
        return vectors[i];
      }
    };
  }
}
