package io.quiver.embeddings;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * A sentence-transformers bi-encoder on ONNX Runtime: WordPiece tokens cut at {@link Config#maxTokens} (counting
 * {@code [CLS]} and {@code [SEP]}, as sentence-transformers' {@code max_seq_length} does), the model's last hidden
 * state mean-pooled over the attention mask, then scaled to unit length. Texts are sorted by token count and cut
 * into batches of {@link Config#batchSize}, so that a batch pads to nearly its own length; the batches run on a
 * fixed pool of {@link Config#threads} threads, each ONNX run on one intra-op thread.
 */
final class SentenceEncoder implements AutoCloseable {
  /** How the encoder is set up; {@link #builder()} gives the defaults. */
  record Config(String modelResource, String tokenizerResource, int dimension, int maxTokens, int batchSize,
      int threads) {
    Config {
      if (maxTokens < 2 || batchSize < 1 || threads < 1 || dimension < 1) {
        throw new IllegalArgumentException("maxTokens >= 2, batchSize, threads, dimension >= 1");
      }
    }

    static Builder builder() {
      return new Builder();
    }
  }

  /** Builds a {@link Config}. */
  static final class Builder {
    private String modelResource;
    private String tokenizerResource;
    private int dimension;
    private int maxTokens = 256;
    private int batchSize = 32;
    private int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    Builder model(String modelResource, String tokenizerResource, int dimension) {
      this.modelResource = modelResource;
      this.tokenizerResource = tokenizerResource;
      this.dimension = dimension;
      return this;
    }

    Builder maxTokens(int n) {
      this.maxTokens = n;
      return this;
    }

    Builder batchSize(int n) {
      this.batchSize = n;
      return this;
    }

    Builder threads(int n) {
      this.threads = n;
      return this;
    }

    Config build() {
      return new Config(modelResource, tokenizerResource, dimension, maxTokens, batchSize, threads);
    }
  }

  private final Config config;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean needsTypeIds;
  private final ExecutorService pool;

  SentenceEncoder(Config config) {
    this.config = config;
    try (InputStream tokenizerJson = resource(config.tokenizerResource());
        InputStream model = resource(config.modelResource());
        OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      // the shipped tokenizer.json cuts at 128 and pads to 128: both are overridden here
      this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
          "truncation", "true", "maxLength", Integer.toString(config.maxTokens()), "padding", "false",
          "addSpecialTokens", "true"));
      this.env = OrtEnvironment.getEnvironment();
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      this.session = env.createSession(model.readAllBytes(), options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load " + config.modelResource() + ": " + e.getMessage(), e);
    }
    this.needsTypeIds = session.getInputNames().contains("token_type_ids");
    this.pool = Executors.newFixedThreadPool(config.threads(), Thread.ofPlatform().daemon().name("embed-", 0)
        .factory());
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = SentenceEncoder.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IOException("resource " + name + " is not on the class path");
    }
    return in;
  }

  Config config() {
    return config;
  }

  /** The token ids of {@code text} as the model sees them (with {@code [CLS]} and {@code [SEP]}, cut). */
  long[] tokenIds(String text) {
    return tokenizer.encode(text).getIds();
  }

  /** One unit vector per text, in order. */
  List<float[]> embed(List<String> texts) {
    if (texts.isEmpty()) {
      return List.of();
    }
    Encoding[] enc = tokenizer.batchEncode(texts);
    Integer[] order = IntStream.range(0, enc.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt(i -> enc[i].getIds().length));
    float[][] out = new float[enc.length][];
    List<Future<?>> jobs = new ArrayList<>();
    for (int from = 0; from < order.length; from += config.batchSize()) {
      int[] batch = Arrays.stream(order, from, Math.min(order.length, from + config.batchSize()))
          .mapToInt(Integer::intValue).toArray();
      jobs.add(pool.submit(() -> runBatch(enc, batch, out)));
    }
    try {
      for (Future<?> f : jobs) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      jobs.forEach(f -> f.cancel(true));
      throw new IllegalStateException("interrupted while embedding", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
    return Arrays.asList(out);
  }

  private void runBatch(Encoding[] enc, int[] batch, float[][] out) {
    int len = 0;
    for (int i : batch) {
      len = Math.max(len, enc[i].getIds().length);
    }
    int n = batch.length;
    long[] ids = new long[n * len];
    long[] mask = new long[n * len];
    for (int b = 0; b < n; b++) {
      long[] t = enc[batch[b]].getIds();
      System.arraycopy(t, 0, ids, b * len, t.length);
      Arrays.fill(mask, b * len, b * len + t.length, 1L);
    }
    long[] shape = {n, len};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (needsTypeIds) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[n * len]), shape));
      }
      try (OrtSession.Result r = session.run(inputs)) {
        float[][][] hidden = (float[][][]) r.get(0).getValue();
        for (int b = 0; b < n; b++) {
          out[batch[b]] = meanPoolNormalised(hidden[b], enc[batch[b]].getIds().length);
        }
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /** The mean of the first {@code tokens} rows (the unpadded ones), scaled to unit length. */
  static float[] meanPoolNormalised(float[][] hidden, int tokens) {
    int d = hidden[0].length;
    double[] sum = new double[d];
    for (int t = 0; t < tokens; t++) {
      for (int j = 0; j < d; j++) {
        sum[j] += hidden[t][j];
      }
    }
    double norm = 0;
    for (int j = 0; j < d; j++) {
      sum[j] /= tokens;
      norm += sum[j] * sum[j];
    }
    norm = Math.sqrt(norm);
    float[] v = new float[d];
    for (int j = 0; j < d; j++) {
      v[j] = (float) (norm == 0 ? 0 : sum[j] / norm);
    }
    return v;
  }

  @Override
  public void close() {
    pool.shutdownNow();
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
    tokenizer.close();
  }
}
