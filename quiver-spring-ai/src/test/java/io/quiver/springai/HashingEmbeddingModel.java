package io.quiver.springai;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;

/**
 * A deterministic test model without weights: a text's vector is a constant component plus the normalized sum of
 * one seeded random unit vector per lower-cased word. Texts sharing words are close; the constant component keeps
 * every cosine between two texts above 0.5, so no result sits near the accept-all threshold 0.
 */
final class HashingEmbeddingModel implements EmbeddingModel {
  static final int DIMENSION = 32;

  @Override
  public EmbeddingResponse call(EmbeddingRequest request) {
    List<Embedding> out = new ArrayList<>();
    List<String> texts = request.getInstructions();
    for (int i = 0; i < texts.size(); i++) {
      out.add(new Embedding(vector(texts.get(i)), i));
    }
    return new EmbeddingResponse(out);
  }

  @Override
  public float[] embed(Document document) {
    return vector(document.getText());
  }

  @Override
  public int dimensions() {
    return DIMENSION;
  }

  static float[] vector(String text) {
    float[] words = new float[DIMENSION - 1];
    for (String w : text.toLowerCase(Locale.ROOT).split("\\W+")) {
      if (w.isEmpty()) {
        continue;
      }
      Random r = new Random(w.hashCode());
      for (int d = 0; d < words.length; d++) {
        words[d] += (float) r.nextGaussian();
      }
    }
    double norm = 0;
    for (float x : words) {
      norm += x * x;
    }
    float[] v = new float[DIMENSION];
    v[0] = 2f; // cos >= (4 - 1) / (sqrt(5) * sqrt(5)) = 0.6 between any two texts
    for (int d = 0; d < words.length; d++) {
      v[d + 1] = norm == 0 ? 0 : (float) (words[d] / Math.sqrt(norm));
    }
    return v;
  }
}
