package io.quiver.payload;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.storage.CorruptFileException;
import io.quiver.text.TextAnalyzer;
import io.quiver.text.TextIndexParams;
import io.quiver.text.TextIndexParamsJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * The text section of a {@link FieldSchema#TEXT} field in a serialized payload index: the parameters as JSON, the
 * posting lists sorted by token, then the phrase vocabulary and word sequences when phrase matching is on
 * (docs/format.md, "Payload index").
 */
final class TextIndexFormat {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TextIndexFormat() {}

  static void write(PayloadIndexFormat.Out out, TextPostings t) {
    out.string(TextIndexParamsJson.write(t.analyzer.params()).toString());
    TreeMap<String, RoaringBitmap> sorted = new TreeMap<>(t.postings);
    out.putInt(sorted.size());
    sorted.forEach((token, b) -> {
      out.string(token);
      out.bitmap(b);
    });
    if (t.documents == null) {
      out.buf(1).put((byte) 0);
      return;
    }
    out.buf(1).put((byte) 1);
    out.putInt(t.words.size());
    t.words.forEach(out::string);
    TreeMap<Integer, int[][]> docs = new TreeMap<>(t.documents);
    out.putInt(docs.size());
    docs.forEach((ord, values) -> {
      out.putInt(ord);
      out.putInt(values.length);
      for (int[] words : values) {
        out.putInt(words.length);
        for (int w : words) {
          out.putInt(w);
        }
      }
    });
  }

  static TextPostings read(ByteBuffer b, String key) throws CorruptFileException {
    String json = PayloadIndexFormat.string(b);
    TextIndexParams params;
    try {
      params = TextIndexParamsJson.parse(JSON.readTree(json), "params");
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptFileException(null, "payload index: text field '" + key + "' has bad parameters: "
          + e.getMessage());
    }
    int n = PayloadIndexFormat.count(b, "token count");
    Map<String, RoaringBitmap> postings = HashMap.newHashMap(n);
    for (int i = 0; i < n; i++) {
      postings.put(PayloadIndexFormat.string(b), PayloadIndexFormat.bitmap(b));
    }
    int flag = b.get();
    if (flag != 0 && flag != 1) {
      throw new CorruptFileException(null, "payload index: text field '" + key + "' has phrase flag " + flag);
    }
    if (flag == 0) {
      return new TextPostings(new TextAnalyzer(params), postings, null, new ArrayList<>());
    }
    int nWords = PayloadIndexFormat.count(b, "word count");
    List<String> words = new ArrayList<>(nWords);
    for (int i = 0; i < nWords; i++) {
      words.add(PayloadIndexFormat.string(b));
    }
    int nDocs = PayloadIndexFormat.count(b, "document count");
    Map<Integer, int[][]> docs = HashMap.newHashMap(nDocs);
    for (int i = 0; i < nDocs; i++) {
      int ord = b.getInt();
      int[][] values = new int[PayloadIndexFormat.count(b, "value count")][];
      for (int v = 0; v < values.length; v++) {
        values[v] = new int[PayloadIndexFormat.count(b, "sequence length")];
        for (int j = 0; j < values[v].length; j++) {
          int w = b.getInt();
          if (w < 0 || w >= nWords) {
            throw new CorruptFileException(null, "payload index: text field '" + key + "' names word " + w + " of "
                + nWords + " at byte " + (b.position() - 4));
          }
          values[v][j] = w;
        }
      }
      if (ord < 0) {
        throw new CorruptFileException(null, "payload index: negative ordinal " + ord + " in text field '" + key + "'");
      }
      docs.put(ord, values);
    }
    return new TextPostings(new TextAnalyzer(params), postings, docs, words);
  }
}
