package io.quiver.agent.recall;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/** Builds {@link Certificate}s; the id hashes a canonical text of the question and the answer. */
final class Certificates {
  private Certificates() {}

  static Certificate of(RecallRequest r, List<RecallHit> top, int candidates, long stored, double floor,
      double upliftBound, double utilityBound, boolean exhaustive, boolean exact, String embedder) {
    List<Long> ids = top.stream().map(RecallHit::id).toList();
    List<Double> utilities = top.stream().map(RecallHit::utility).toList();
    StringBuilder canon = new StringBuilder();
    canon.append("query=").append(r.query()).append('\n')
        .append(String.format(Locale.ROOT, "k=%d alpha=%s beta=%s gamma=%s scale=%s embedder=%s%n", r.k(),
            Double.toString(r.alpha()), Double.toString(r.beta()), Double.toString(r.gamma()),
            Double.toString(r.latencyScaleMs()), embedder));
    for (int i = 0; i < ids.size(); i++) {
      canon.append(ids.get(i)).append(':').append(Double.toString(utilities.get(i))).append('\n');
    }
    return new Certificate(sha256(canon.toString()), r.query(), r.k(), r.alpha(), r.beta(), r.gamma(),
        r.latencyScaleMs(), ids, utilities, candidates, stored, floor, upliftBound, utilityBound, exhaustive, exact,
        embedder);
  }

  private static String sha256(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
  }
}
