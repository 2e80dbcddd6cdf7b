package io.quiver.server.formula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.filter.Filter;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Random formula trees over random points, evaluated by {@link FormulaParser} + {@link FormulaEvaluator} and by a
 * direct interpreter of the JSON written here from Qdrant's documented definitions (decays as powers of the
 * midpoint rather than through lambda), including which expressions fail and where.
 */
class FormulaEvaluatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String T0 = "2024-05-01T12:00:00Z";
  private long seed;
  private Random rnd;

  @BeforeEach
  void seed() {
    String s = System.getProperty("tests.seed");
    seed = s == null || s.isBlank() ? new Random().nextLong() : Long.parseUnsignedLong(s.trim(), 16);
    System.out.println("FormulaEvaluatorTest seed: -Dtests.seed=" + Long.toHexString(seed).toUpperCase());
    rnd = new Random(seed);
  }

  /** A reference failure, at a path below the formula. */
  private static final class RefError extends RuntimeException {
    final String at;

    RefError(String at) {
      super(at, null, false, false);
      this.at = at;
    }
  }

  @Test
  void randomFormulasAgreeWithTheReference() {
    int evaluated = 0;
    int failed = 0;
    for (int iter = 0; iter < 3000; iter++) {
      ObjectNode q = JSON.createObjectNode();
      q.set("formula", expression(4));
      ObjectNode defaults = q.putObject("defaults");
      if (rnd.nextBoolean()) {
        defaults.put("a", rnd.nextInt(5) - 2);
      }
      if (rnd.nextBoolean()) {
        defaults.put("$score[1]", 0.25);
      }
      if (rnd.nextBoolean()) {
        defaults.putObject("geo").put("lat", 10.0).put("lon", 20.0);
      }
      if (rnd.nextBoolean()) {
        defaults.put("t", "2024-05-02T00:00:00Z");
      }
      Formula f = FormulaParser.parse(q, "q");
      FormulaEvaluator ev = new FormulaEvaluator(f);
      for (int p = 0; p < 5; p++) {
        ObjectNode payload = payload();
        Float[] scores = {rnd.nextBoolean() ? rnd.nextFloat() : null, rnd.nextBoolean() ? rnd.nextFloat() * 3 : null};
        boolean[] matches = new boolean[f.conditions().size()];
        for (int i = 0; i < matches.length; i++) {
          Filter c = f.conditions().get(i);
          matches[i] = c.test(PointId.of(1), payload);
        }
        FormulaEvaluator.Point point = new FormulaEvaluator.Point(scores, payload, matches);
        double expected;
        try {
          expected = ref(q.get("formula"), "", scores, payload, defaults);
        } catch (RefError e) {
          Throwable t = catchThrowable(() -> ev.score(point, "1"));
          assertThat(t).as("%s on %s", q, payload).isInstanceOf(FormulaException.class);
          assertThat(t.getMessage()).as("%s on %s", q, payload).startsWith("q.formula" + e.at + ": ");
          failed++;
          continue;
        }
        float actual = ev.score(point, "1");
        float want = (float) expected;
        assertThat((double) actual).as("%s on %s scores %s %s", q, payload, scores[0], scores[1])
            .isCloseTo(want, offset(1e-5 * Math.max(1, Math.abs(want))));
        evaluated++;
      }
    }
    System.out.println("evaluated " + evaluated + ", failed as expected " + failed);
    assertThat(evaluated).isGreaterThan(1000);
    assertThat(failed).isGreaterThan(100);
  }

  private ObjectNode payload() {
    ObjectNode p = JSON.createObjectNode();
    switch (rnd.nextInt(5)) {
      case 0 -> { }
      case 1 -> p.put("a", "text");
      case 2 -> p.putArray("a").add(1).add(2);
      default -> p.put("a", rnd.nextInt(9) - 4 + (rnd.nextBoolean() ? 0.5 : 0));
    }
    if (rnd.nextInt(4) != 0) {
      p.put("b", rnd.nextDouble() * 10);
    }
    if (rnd.nextInt(4) != 0) {
      p.putObject("geo").put("lat", rnd.nextDouble() * 10).put("lon", rnd.nextDouble() * 10);
    }
    if (rnd.nextInt(4) != 0) {
      p.put("t", Instant.parse(T0).plusSeconds(rnd.nextInt(200_000) - 100_000).toString());
    }
    p.put("tag", rnd.nextBoolean() ? "x" : "y");
    return p;
  }

  private JsonNode expression(int depth) {
    int kind = depth == 0 ? rnd.nextInt(5) : rnd.nextInt(20);
    switch (kind) {
      case 0: return JSON.getNodeFactory().numberNode(Math.round((rnd.nextDouble() * 8 - 3) * 4) / 4.0);
      case 1: return JSON.getNodeFactory().textNode(rnd.nextBoolean() ? "$score" : "$score[" + rnd.nextInt(3) + "]");
      case 2: return JSON.getNodeFactory().textNode(rnd.nextBoolean() ? "a" : "b");
      case 3: {
        ObjectNode c = JSON.createObjectNode().put("key", "tag");
        c.putObject("match").put("value", "x");
        return c;
      }
      case 4: {
        ObjectNode g = JSON.createObjectNode();
        ObjectNode gd = g.putObject("geo_distance").put("to", "geo");
        gd.putObject("origin").put("lat", 5.0).put("lon", 5.0);
        return g;
      }
      case 5: case 6: {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode a = o.putArray(kind == 5 ? "sum" : "mult");
        for (int i = rnd.nextInt(4); i > 0; i--) {
          a.add(expression(depth - 1));
        }
        return o;
      }
      case 7: case 8: case 9: case 10: case 11: case 12: {
        String op = new String[] {"neg", "abs", "sqrt", "exp", "log10", "ln"}[kind - 7];
        return JSON.createObjectNode().set(op, expression(depth - 1));
      }
      case 13: {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode d = o.putObject("div");
        d.set("left", expression(depth - 1));
        d.set("right", expression(depth - 1));
        if (rnd.nextBoolean()) {
          d.put("by_zero_default", 7.0);
        }
        return o;
      }
      case 14: {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode d = o.putObject("pow");
        d.set("base", expression(depth - 1));
        d.set("exponent", expression(depth - 1));
        return o;
      }
      case 15: {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode d = o.putObject("exp_decay");
        d.putObject("x").put("datetime_key", "t");
        d.putObject("target").put("datetime", T0);
        d.put("scale", 86400.0);
        return o;
      }
      default: {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode d = o.putObject(new String[] {"lin_decay", "exp_decay", "gauss_decay", "lin_decay"}[kind - 16]);
        d.set("x", expression(depth - 1));
        if (rnd.nextBoolean()) {
          d.set("target", expression(depth - 1));
        }
        if (rnd.nextBoolean()) {
          d.put("scale", 0.5 + rnd.nextInt(4));
        }
        if (rnd.nextBoolean()) {
          d.put("midpoint", 0.1 + 0.2 * rnd.nextInt(4));
        }
        return o;
      }
    }
  }

  /** Qdrant's semantics, written directly over the JSON. */
  private static double ref(JsonNode n, String at, Float[] scores, JsonNode payload, JsonNode defaults) {
    if (n.isNumber()) {
      return (float) n.doubleValue();
    }
    if (n.isTextual()) {
      String v = n.textValue();
      if (v.startsWith("$score")) {
        int i = v.equals("$score") ? 0 : Integer.parseInt(v.substring(7, v.length() - 1));
        if (i < scores.length && scores[i] != null) {
          return scores[i];
        }
        JsonNode d = defaults.get(i == 0 ? "$score" : v);
        if (d == null && i == 0) {
          d = defaults.get("$score[0]");
        }
        return d != null ? d.doubleValue() : 0;
      }
      JsonNode value = valueOf(v, at, payload, defaults);
      if (!value.isNumber()) {
        throw new RefError(at);
      }
      return value.doubleValue();
    }
    String op = n.fieldNames().next();
    JsonNode a = n.get(op);
    String here = at + "." + op;
    switch (op) {
      case "key": return payload.get("tag").asText().equals("x") ? 1 : 0;
      case "geo_distance": {
        JsonNode g = valueOf("geo", at, payload, defaults);
        double lat1 = Math.toRadians(5.0);
        double lat2 = Math.toRadians(g.get("lat").doubleValue());
        double dLat = lat2 - lat1;
        double dLon = Math.toRadians(g.get("lon").doubleValue() - 5.0);
        double h = Math.pow(Math.sin(dLat / 2), 2) + Math.cos(lat1) * Math.cos(lat2) * Math.pow(Math.sin(dLon / 2), 2);
        return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
      }
      case "datetime_key": return Instant.parse(valueOf("t", at, payload, defaults).textValue()).getEpochSecond();
      case "datetime": return Instant.parse(a.textValue()).getEpochSecond();
      case "sum": {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
          s += ref(a.get(i), here + "[" + i + "]", scores, payload, defaults);
        }
        return s;
      }
      case "mult": {
        double s = 1;
        for (int i = 0; i < a.size(); i++) {
          double v = ref(a.get(i), here + "[" + i + "]", scores, payload, defaults);
          if (v == 0) {
            return 0;
          }
          s *= v;
        }
        return s;
      }
      case "neg": return -ref(a, here, scores, payload, defaults);
      case "abs": return Math.abs(ref(a, here, scores, payload, defaults));
      case "sqrt": return finite(Math.sqrt(ref(a, here, scores, payload, defaults)), here);
      case "exp": return finite(Math.exp(ref(a, here, scores, payload, defaults)), here);
      case "log10": return finite(Math.log10(ref(a, here, scores, payload, defaults)), here);
      case "ln": return finite(Math.log(ref(a, here, scores, payload, defaults)), here);
      case "div": {
        double l = ref(a.get("left"), here + ".left", scores, payload, defaults);
        if (l == 0) {
          return 0;
        }
        double r = ref(a.get("right"), here + ".right", scores, payload, defaults);
        if (r == 0 && a.has("by_zero_default")) {
          return a.get("by_zero_default").doubleValue();
        }
        return finite(l / r, here);
      }
      case "pow": {
        double b = ref(a.get("base"), here + ".base", scores, payload, defaults);
        double e = ref(a.get("exponent"), here + ".exponent", scores, payload, defaults);
        return finite(Math.pow(b, e), here);
      }
      default: { // the decays
        double x = ref(a.get("x"), here + ".x", scores, payload, defaults);
        double t = a.has("target") ? ref(a.get("target"), here + ".target", scores, payload, defaults) : 0;
        double scale = a.has("scale") ? a.get("scale").doubleValue() : 1;
        double mid = a.has("midpoint") ? (float) a.get("midpoint").doubleValue() : 0.5;
        double d = Math.abs(x - t) / scale;
        return switch (op) {
          case "lin_decay" -> Math.max(0, 1 - (1 - mid) * d);
          case "exp_decay" -> Math.pow(mid, d);
          default -> Math.pow(mid, d * d);
        };
      }
    }
  }

  private static JsonNode valueOf(String key, String at, JsonNode payload, JsonNode defaults) {
    JsonNode v = payload.get(key);
    if (v != null && v.isArray()) {
      return v.size() == 1 ? v.get(0) : v;
    }
    if (v == null) {
      v = defaults.get(key);
    }
    if (v == null) {
      throw new RefError(at);
    }
    return v;
  }

  private static double finite(double v, String at) {
    if (!Double.isFinite(v)) {
      throw new RefError(at);
    }
    return v;
  }

  @Test
  void malformedFormulasNameTheirPath() {
    String[][] cases = {
        {"{\"formula\":{\"sum\":[1,{\"div\":{\"left\":1}}]}}", "q.formula.sum[1].div.right: required"},
        {"{\"formula\":{\"sum\":[1,{\"nope\":2}]}}", "q.formula.sum[1]: unknown expression `nope`"},
        {"{\"formula\":\"$scores\"}", "q.formula: invalid reserved variable"},
        {"{\"formula\":{\"exp_decay\":{\"x\":1,\"midpoint\":1.0}}}", "q.formula.exp_decay.midpoint:"},
        {"{\"formula\":{\"lin_decay\":{\"x\":1,\"scale\":0}}}", "q.formula.lin_decay.scale: must be positive"},
        {"{\"formula\":{\"datetime\":\"yesterday\"}}", "q.formula.datetime: expected an RFC 3339"},
        {"{\"formula\":{\"mult\":[{\"key\":\"a\",\"match\":{\"nope\":1}}]}}", "q.formula.mult[0]: invalid condition"},
        {"{\"formula\":{\"neg\":1,\"abs\":2}}", "q.formula: an operator object has exactly one key"},
        {"{\"formula\":true}", "q.formula: expected a number"},
        {"{\"formula\":1,\"defaults\":{\"$x\":1}}", "q.defaults.$x: invalid reserved variable"},
        {"{\"formula\":1,\"extra\":1}", "q.extra: unknown field"},
        {"{\"defaults\":{}}", "q.formula: required"},
        {"{\"formula\":{\"geo_distance\":{\"origin\":{\"lat\":91,\"lon\":0},\"to\":\"g\"}}}",
            "q.formula.geo_distance.origin: lat must be"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> FormulaParser.parse(JSON.readTree(c[0]), "q")).as(c[0])
          .isInstanceOf(FormulaException.class).hasMessageStartingWith(c[1]);
    }
  }

  @Test
  void documentedExamples() throws Exception {
    // one day from the target at scale one day: the midpoint
    Formula f = FormulaParser.parse(JSON.readTree("{\"formula\":{\"exp_decay\":{\"x\":{\"datetime_key\":\"t\"},"
        + "\"target\":{\"datetime\":\"2024-01-02T00:00:00Z\"},\"scale\":86400,\"midpoint\":0.5}}}"), "q");
    JsonNode payload = JSON.readTree("{\"t\":\"2024-01-01T00:00:00Z\"}");
    assertThat(new FormulaEvaluator(f).score(new FormulaEvaluator.Point(new Float[0], payload, new boolean[0]), "1"))
        .isCloseTo(0.5f, offset(1e-6f));
    // a missing variable without default fails; with one it is used
    Formula missing = FormulaParser.parse(JSON.readTree("{\"formula\":{\"sum\":[\"$score\",\"boost\"]}}"), "q");
    assertThatThrownBy(() -> new FormulaEvaluator(missing).score(
        new FormulaEvaluator.Point(new Float[] {1f}, JSON.createObjectNode(), new boolean[0]), "7"))
        .hasMessage("q.formula.sum[1]: no value for \"boost\" in the payload nor in the formula's defaults (point 7)");
    // a condition is recognised whatever the order of its fields
    Formula cond = FormulaParser.parse(JSON.readTree("{\"formula\":{\"match\":{\"value\":\"x\"},\"key\":\"tag\"}}"),
        "q");
    assertThat(cond.root()).isEqualTo(new Expression.Matches(0));
    assertThat(cond.conditions().getFirst().test(PointId.of(1), JSON.readTree("{\"tag\":\"x\"}"))).isTrue();
    Formula dflt = FormulaParser.parse(JSON.readTree("{\"formula\":{\"sum\":[\"$score\",\"boost\"]},"
        + "\"defaults\":{\"boost\":2}}"), "q");
    assertThat(new FormulaEvaluator(dflt).score(
        new FormulaEvaluator.Point(new Float[] {1f}, JSON.createObjectNode(), new boolean[0]), "7")).isEqualTo(3f);
  }
}
