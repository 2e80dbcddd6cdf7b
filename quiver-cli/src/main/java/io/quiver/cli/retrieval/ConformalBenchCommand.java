package io.quiver.cli.retrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quiver bench-conformal}: loads a BEIR-format folder's dense vectors through the REST API, then per random
 * split calibrates the field on half of the judged queries ({@code POST /quiver/collections/{c}/calibration}) and
 * queries the other half with {@code params.quiver_conformal_alpha}: the achieved coverage (held-out (query,
 * relevant) pairs whose document is returned) and the mean number of results, per alpha, as mean ± sd over splits.
 */
@Command(name = "bench-conformal", mixinStandardHelpOptions = true,
    description = "Coverage and result counts of conformally calibrated score thresholds on held-out queries of a"
        + " BEIR-format folder with dense vectors, over random calibration/test splits.",
    footer = {"", "Example: ./quiver bench-conformal /work/shared/datasets/scifact-minilm-384-cosine"})
public final class ConformalBenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "a BEIR-format folder with base.fvecs and query.fvecs")
  Path folder;

  @Option(names = "--url", description = "a running server; default: one started here over a temporary database")
  String url;

  @Option(names = "--alpha", split = ",", defaultValue = "0.05,0.1,0.2",
      description = "miscoverage levels (default: ${DEFAULT-VALUE})")
  List<Double> alphas;

  @Option(names = "--splits", defaultValue = "10", description = "random splits (default: ${DEFAULT-VALUE})")
  int splits;

  @Option(names = "--seed", description = "seed of the splits (default: drawn and printed)")
  Long seed;

  @Option(names = "--limit", defaultValue = "1000", description = "query limit (default: ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--distance", defaultValue = "Cosine", description = "the field's distance (default: ${DEFAULT-VALUE})")
  String distance;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    BenchServer.run(url, "quiver-bench-conformal", rest -> run(rest, out));
    return 0;
  }

  private void run(RestSession rest, PrintWriter out) throws IOException {
    BeirFolder set = BeirFolder.load(folder, g -> g);
    if (!set.hasVectors()) {
      throw new IOException(folder + " has no dense vectors (base.fvecs, query.fvecs)");
    }
    long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
    String c = "bench_conformal";
    load(rest, c, set);
    int queries = set.queryIds().size();
    int pairs = set.gains().stream().mapToInt(Map::size).sum();
    out.printf("%s: %d documents, %d judged queries, %d (query, relevant) pairs; %s; limit %d%n", set.name(),
        set.docIds().size(), queries, pairs, distance, limit);
    out.printf("seed %d (--seed %d reproduces), %d splits of %d calibration / %d test queries%n", s, s, splits,
        queries / 2, queries - queries / 2);
    out.flush();
    Random rnd = new Random(s);
    int a = alphas.size();
    double[][] coverage = new double[a][splits];
    double[][] results = new double[a][splits];
    double[][] thresholds = new double[a][splits];
    double[][] capped = new double[a][splits];
    double[][] fixedK = new double[a][splits];
    for (int split = 0; split < splits; split++) {
      List<Integer> order = new ArrayList<>();
      for (int q = 0; q < queries; q++) {
        order.add(q);
      }
      Collections.shuffle(order, rnd);
      List<Integer> calib = order.subList(0, queries / 2);
      List<Integer> test = order.subList(queries / 2, queries);
      int[] ranks = ranks(rest, c, set, test);
      JsonNode cal = rest.call("POST", "/quiver/collections/" + c + "/calibration", calibration(set, calib));
      for (int i = 0; i < a; i++) {
        thresholds[i][split] = cal.get("thresholds").get(i).get("score_threshold").asDouble();
        double[] r = evaluate(rest, c, set, test, alphas.get(i));
        coverage[i][split] = r[0];
        results[i][split] = r[1];
        capped[i][split] = r[2];
        fixedK[i][split] = fixedLimit(ranks, r[0]);
      }
    }
    out.printf("%-6s %8s %18s %20s %18s %12s %22s%n", "alpha", "target", "coverage", "results/query", "threshold",
        "at limit", "fixed k, same coverage");
    for (int i = 0; i < a; i++) {
      out.printf("%-6s %8.3f %9.4f ± %.4f %10.1f ± %-7.1f %8.4f ± %.4f %11.2f%% %14.1f ± %.1f%n", alphas.get(i),
          1 - alphas.get(i), mean(coverage[i]), sd(coverage[i]), mean(results[i]), sd(results[i]),
          mean(thresholds[i]), sd(thresholds[i]), 100 * mean(capped[i]), mean(fixedK[i]), sd(fixedK[i]));
    }
    out.flush();
    rest.call("DELETE", "/collections/" + c, null, true);
  }

  private void load(RestSession rest, String c, BeirFolder set) throws IOException {
    rest.call("DELETE", "/collections/" + c, null, true);
    ObjectNode create = RestSession.JSON.createObjectNode();
    create.putObject("vectors").putObject("dense").put("size", set.docVectors()[0].length).put("distance", distance);
    rest.call("PUT", "/collections/" + c, create);
    for (int from = 0; from < set.docIds().size(); from += 256) {
      ObjectNode body = RestSession.JSON.createObjectNode();
      ArrayNode points = body.putArray("points");
      for (int i = from; i < Math.min(set.docIds().size(), from + 256); i++) {
        floats(points.addObject().put("id", i).putObject("vector").putArray("dense"), set.docVectors()[i]);
      }
      rest.call("PUT", "/collections/" + c + "/points?wait=true", body);
    }
  }

  private ObjectNode calibration(BeirFolder set, List<Integer> calib) {
    Map<String, Integer> docRow = docRows(set);
    ObjectNode body = RestSession.JSON.createObjectNode().put("using", "dense");
    ArrayNode as = body.putArray("alpha");
    alphas.forEach(as::add);
    ArrayNode qs = body.putArray("queries");
    for (int q : calib) {
      ObjectNode o = qs.addObject();
      floats(o.putArray("query"), set.queryVectors()[q]);
      ArrayNode rel = o.putArray("relevant");
      set.gains().get(q).keySet().forEach(d -> rel.add(docRow.get(d)));
    }
    return body;
  }

  private Map<String, Integer> rows;

  private Map<String, Integer> docRows(BeirFolder set) {
    if (rows == null) {
      rows = new HashMap<>();
      for (int i = 0; i < set.docIds().size(); i++) {
        rows.put(set.docIds().get(i), i);
      }
    }
    return rows;
  }

  /** Coverage of the test pairs, mean results per query, and the fraction of queries that filled the limit. */
  private double[] evaluate(RestSession rest, String c, BeirFolder set, List<Integer> test, double alpha)
      throws IOException {
    long kept = 0;
    long pairs = 0;
    long returned = 0;
    int full = 0;
    for (int from = 0; from < test.size(); from += 32) {
      List<Integer> batch = test.subList(from, Math.min(test.size(), from + 32));
      ObjectNode body = RestSession.JSON.createObjectNode();
      ArrayNode searches = body.putArray("searches");
      for (int q : batch) {
        ObjectNode o = searches.addObject().put("using", "dense").put("limit", limit);
        floats(o.putArray("query"), set.queryVectors()[q]);
        o.putObject("params").put("quiver_conformal_alpha", alpha);
      }
      JsonNode answers = rest.call("POST", "/collections/" + c + "/points/query/batch", body);
      for (int i = 0; i < batch.size(); i++) {
        JsonNode points = answers.get(i).get("points");
        Set<String> got = new HashSet<>();
        points.forEach(p -> got.add(set.docIds().get(p.get("id").asInt())));
        for (String d : set.gains().get(batch.get(i)).keySet()) {
          kept += got.contains(d) ? 1 : 0;
          pairs++;
        }
        returned += points.size();
        full += points.size() == limit ? 1 : 0;
      }
    }
    return new double[] {(double) kept / pairs, (double) returned / test.size(), (double) full / test.size()};
  }

  /** The 1-based rank of each test pair's document in its query's top {@code limit} (limit + 1 if absent). */
  private int[] ranks(RestSession rest, String c, BeirFolder set, List<Integer> test) throws IOException {
    List<Integer> out = new ArrayList<>();
    for (int from = 0; from < test.size(); from += 32) {
      List<Integer> batch = test.subList(from, Math.min(test.size(), from + 32));
      ObjectNode body = RestSession.JSON.createObjectNode();
      ArrayNode searches = body.putArray("searches");
      for (int q : batch) {
        floats(searches.addObject().put("using", "dense").put("limit", limit).putArray("query"),
            set.queryVectors()[q]);
      }
      JsonNode answers = rest.call("POST", "/collections/" + c + "/points/query/batch", body);
      for (int i = 0; i < batch.size(); i++) {
        Map<String, Integer> rank = new HashMap<>();
        JsonNode points = answers.get(i).get("points");
        for (int r = 0; r < points.size(); r++) {
          rank.put(set.docIds().get(points.get(r).get("id").asInt()), r + 1);
        }
        for (String d : set.gains().get(batch.get(i)).keySet()) {
          out.add(rank.getOrDefault(d, limit + 1));
        }
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The smallest fixed limit k whose top-k holds at least {@code coverage} of the pairs (by their ranks). */
  private static int fixedLimit(int[] ranks, double coverage) {
    int[] sorted = ranks.clone();
    Arrays.sort(sorted);
    int need = (int) Math.ceil(coverage * sorted.length - 1e-9);
    return need == 0 ? 0 : sorted[need - 1];
  }

  private static void floats(ArrayNode a, float[] v) {
    for (float x : v) {
      a.add(x);
    }
  }

  private static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  private static double sd(double[] x) {
    if (x.length < 2) {
      return 0;
    }
    double m = mean(x);
    double s = 0;
    for (double v : x) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / (x.length - 1));
  }
}
