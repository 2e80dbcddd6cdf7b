package io.quiver.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.cli.QuiverCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FilterBenchCommandTest {
  private static final List<String> CASES = List.of("samelabel", "randomlabel", "r0.1%", "r0.5%", "r1%", "r5%",
      "r20%", "r50%", "r100%", "w0.1%", "w0.5%", "w1%", "w5%", "w20%", "w50%");
  private static final List<String> METHODS = List.of("auto", "exact", "acorn", "route_through", "auto_ef32",
      "auto_sweep", "route_through_sweep", "postfilter");

  @TempDir
  Path dir;

  @Test
  void everyCaseAndMethodIsMeasuredExactIsExactAndThePlannerKeepsRecall() throws Exception {
    Path json = dir.resolve("out.jsonl");
    Path md = dir.resolve("out.md");
    int code = new CommandLine(new QuiverCli()).execute("bench-filter", "--data", dir.resolve("absent").toString(),
        "--synthetic", "3000", "--dim", "16", "--queries", "100", "--warmup", "0", "--runs", "1", "--max-ef", "1024",
        "--exact-max-matches", "50", // at 3,000 points: exact below ~1.7%, ACORN to 50%, route-through above
        "--json", json.toString(), "--out", md.toString());
    assertThat(code).isZero();
    ObjectMapper mapper = new ObjectMapper();
    Map<String, Map<String, JsonNode>> rows = new HashMap<>();
    for (String line : Files.readAllLines(json)) {
      JsonNode o = mapper.readTree(line);
      assertThat(o.get("dataset").asText()).startsWith("generated-clustered-3000x16");
      rows.computeIfAbsent(o.get("case").asText(), c -> new HashMap<>()).put(o.get("method").asText(), o);
    }
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(CASES);
    String report = Files.readString(md);
    for (String c : CASES) {
      assertThat(rows.get(c).keySet()).as(c).containsExactlyInAnyOrderElementsOf(METHODS);
      assertThat(rows.get(c).get("exact").get("recall").asDouble()).as("exact recall, %s", c).isEqualTo(1.0);
      assertThat(rows.get(c).get("auto").get("recall").asDouble()).as("auto recall, %s", c).isGreaterThanOrEqualTo(0.9);
      for (String m : METHODS) {
        assertThat(rows.get(c).get(m).get("qps").asDouble()).as("qps %s %s", c, m).isPositive();
      }
      assertThat(report).contains("### " + c + ":");
    }
    // the planner really chose each strategy somewhere (not exact everywhere)
    assertThat(rows.get("r0.5%").get("auto").get("planned_strategies").has("EXACT")).isTrue();
    assertThat(rows.get("r20%").get("auto").get("planned_strategies").has("ACORN")).isTrue();
    assertThat(rows.get("r100%").get("auto").get("planned_strategies").has("ROUTE_THROUGH")).isTrue();
    // selectivities as designed: r < 1 of 1000 is ~0.1%, r < 1000 everything
    assertThat(rows.get("r100%").get("exact").get("selectivity").asDouble()).isEqualTo(1.0);
    assertThat(rows.get("r5%").get("exact").get("selectivity").asDouble()).isBetween(0.03, 0.07);
  }

  @Test
  void bruteForceGroundTruthIsFilteredSortedAndPadded() {
    float[][] base = {{0f}, {5f}, {1f}, {3f}, {1f}};
    float[][] queries = {{0.9f}};
    List<IntPredicate[]> predicates = new ArrayList<>();
    predicates.add(new IntPredicate[] {i -> true});
    predicates.add(new IntPredicate[] {i -> i % 2 == 1}); // ids 1 and 3 only
    int[][][] gt = FilterCases.bruteForce(base, queries, predicates, 3);
    assertThat(gt[0][0]).containsExactly(2, 4, 0); // 1 and 1 tie: lower id first
    assertThat(gt[1][0]).containsExactly(3, 1, -1);
  }
}
