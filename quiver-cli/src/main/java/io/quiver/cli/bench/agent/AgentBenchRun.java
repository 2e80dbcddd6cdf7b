package io.quiver.cli.bench.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cli.bench.agent.AgentWorkload.EpisodeSpec;
import io.quiver.cli.bench.agent.AgentWorkload.QuerySpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One engine's pass over the workload through its MCP server: load by reflexion_store_batch, then reflexion_retrieve,
 * recall_with_certificate, skill_create + skill_search, causal_add_edge + causal_query and db_stats, one call at a
 * time. Each tool gives one JSON row. A tool whose first call answers an error gives a row marked unavailable with
 * the server's words and no figures; tools that read what an unavailable tool should have written are skipped too.
 */
final class AgentBenchRun {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Retrieval depth of every reflexion_retrieve and recall_with_certificate call. */
  static final int K = 5;

  private final McpChild mcp;
  private final String engine;
  private final AgentWorkload work;
  private final List<QuerySpec> warmup;
  private final int batch;
  private final Reference reference;
  private final Consumer<ObjectNode> sink;

  /**
   * What an engine's answers are checked against: the vectors of the episodes and of a query under the embedding the
   * engine used, or null when that embedding cannot be computed here; {@code firstId} is the id the engine gives the
   * first stored episode (ids then follow in order; each answer's Task line is checked against it).
   */
  record Reference(String embedding, ExactTopK exact, Function<String, float[]> embedQuery, boolean fullTopK,
      long firstId) {}

  /** {@code warmup}: queries called untimed before each read tool's timed calls (texts unlike the timed ones). */
  AgentBenchRun(McpChild mcp, String engine, AgentWorkload work, List<QuerySpec> warmup, int batch,
      Reference reference, Consumer<ObjectNode> sink) {
    this.mcp = mcp;
    this.engine = engine;
    this.work = work;
    this.warmup = warmup;
    this.batch = batch;
    this.reference = reference;
    this.sink = sink;
  }

  void run() throws IOException {
    boolean loaded = load();
    if (loaded) {
      retrieve();
      recall();
    } else {
      skipped("reflexion_retrieve");
      skipped("recall_with_certificate");
    }
    writeThenRead("skill_create", "skill_search", work.skills().size(), i -> MAPPER.createObjectNode()
        .put("name", "skill-" + i).put("description", work.skills().get(i))
        .put("success_rate", 0.5 + 0.5 * ((i * 37) % 100) / 100.0),
        q -> MAPPER.createObjectNode().put("task", q.task()).put("k", K));
    writeThenRead("causal_add_edge", "causal_query", work.edges().size(), i -> MAPPER.createObjectNode()
        .put("cause", work.edges().get(i)[0]).put("effect", work.edges().get(i)[1])
        .put("uplift", ((i * 13) % 50) / 100.0).put("confidence", 0.6 + ((i * 7) % 40) / 100.0)
        .put("sample_size", 10 + i % 90),
        q -> MAPPER.createObjectNode().put("cause", work.edges().get(Math.floorMod(q.task().hashCode(),
            work.edges().size()))[0]).put("min_confidence", 0.5).put("limit", 10));
    dbStats(loaded);
  }

  private boolean load() throws IOException {
    List<EpisodeSpec> eps = work.episodes();
    long[] nanos = new long[(eps.size() + batch - 1) / batch];
    long start = System.nanoTime();
    for (int b = 0; b < nanos.length; b++) {
      ArrayNode arr = MAPPER.createArrayNode();
      for (EpisodeSpec e : eps.subList(b * batch, Math.min(eps.size(), (b + 1) * batch))) {
        arr.addObject().put("session_id", e.sessionId()).put("task", e.task()).put("reward", e.reward())
            .put("success", e.success()).put("latency_ms", e.latencyMs());
      }
      ObjectNode args = MAPPER.createObjectNode();
      args.set("episodes", arr);
      args.put("batch_size", Math.min(batch, 1000));
      McpChild.Reply r = mcp.call("reflexion_store_batch", args);
      if (r.isError()) {
        unavailable("reflexion_store_batch", r, b);
        return false;
      }
      nanos[b] = r.nanos();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    ObjectNode row = timed("reflexion_store_batch", nanos, 0);
    row.put("batch", batch).put("episodes_per_s", eps.size() / seconds).put("load_s", seconds);
    sink.accept(row);
    return true;
  }

  private void retrieve() throws IOException {
    List<QuerySpec> qs = work.queries();
    long[] nanos = new long[qs.size()];
    int errors = 0;
    int filterOk = 0;
    int idMismatch = 0;
    int exact = 0;
    int firstNearest = 0;
    int checked = 0;
    int hits = 0;
    int shortAnswers = 0;
    int similarities = 0;
    int similarityAgrees = 0;
    for (QuerySpec w : warmup) {
      if (mcp.call("reflexion_retrieve", retrieveArgs(w)).isError()) {
        break;
      }
    }
    for (int i = 0; i < qs.size(); i++) {
      QuerySpec q = qs.get(i);
      McpChild.Reply r = mcp.call("reflexion_retrieve", retrieveArgs(q));
      if (i == 0 && r.isError()) {
        unavailable("reflexion_retrieve", r, 0);
        return;
      }
      nanos[i] = r.nanos();
      if (r.isError()) {
        errors++;
        continue;
      }
      RetrieveAnswer a = RetrieveAnswer.of(r.result());
      hits += a.hits().size();
      AnswerCheck c = AnswerCheck.check(a, q, work.episodes(), reference.firstId());
      filterOk += c.filtersObeyed() ? 1 : 0;
      idMismatch += c.idMismatches();
      if (reference.exact() != null) {
        float[] qv = reference.embedQuery().apply(q.task());
        List<ExactTopK.Scored> truth = reference.exact().top(qv, K, idx -> q.accepts(work.episodes().get(idx)));
        exact += reference.exact().isExact(qv, c.indexes(), truth) ? 1 : 0;
        firstNearest += reference.exact().firstIsNearest(qv, c.indexes(), truth) ? 1 : 0;
        shortAnswers += c.indexes().size() < truth.size() ? 1 : 0;
        checked++;
        for (int h = 0; h < a.hits().size(); h++) {
          double printed = a.hits().get(h).similarity();
          int idx = c.indexes().get(h);
          if (idx >= 0 && !Double.isNaN(printed)) {
            similarities++;
            // printed with three decimals: agreement within rounding says the reference embedding is the engine's
            similarityAgrees += Math.abs(printed - reference.exact().score(qv, idx)) <= 5.1e-4 ? 1 : 0;
          }
        }
      }
    }
    ObjectNode row = timed("reflexion_retrieve", nanos, errors);
    int answered = qs.size() - errors;
    row.put("k", K).put("mean_hits", answered == 0 ? 0 : (double) hits / answered)
        .put("filters_obeyed", fraction(filterOk, answered)).put("id_mismatches", idMismatch)
        .put("reference", reference.embedding());
    if (checked > 0) {
      row.put("first_is_nearest", fraction(firstNearest, checked)).put("short_answers", shortAnswers)
          .put("similarity_agrees", fraction(similarityAgrees, similarities));
      if (reference.fullTopK()) {
        row.put("exact_topk", fraction(exact, checked));
      }
    }
    sink.accept(row);
  }

  private static ObjectNode retrieveArgs(QuerySpec q) {
    ObjectNode args = MAPPER.createObjectNode().put("task", q.task()).put("k", K);
    if (q.onlySuccesses()) {
      args.put("only_successes", true);
    }
    if (q.onlyFailures()) {
      args.put("only_failures", true);
    }
    if (q.minReward() != null) {
      args.put("min_reward", q.minReward());
    }
    return args;
  }

  private void recall() throws IOException {
    List<QuerySpec> qs = work.queries();
    for (QuerySpec w : warmup) {
      if (mcp.call("recall_with_certificate", MAPPER.createObjectNode().put("query", w.task()).put("k", K))
          .isError()) {
        break;
      }
    }
    long[] nanos = new long[qs.size()];
    int errors = 0;
    for (int i = 0; i < qs.size(); i++) {
      McpChild.Reply r = mcp.call("recall_with_certificate",
          MAPPER.createObjectNode().put("query", qs.get(i).task()).put("k", K));
      if (i == 0 && r.isError()) {
        unavailable("recall_with_certificate", r, 0);
        return;
      }
      nanos[i] = r.nanos();
      errors += r.isError() ? 1 : 0;
    }
    sink.accept(timed("recall_with_certificate", nanos, errors).put("k", K));
  }

  private void writeThenRead(String writeTool, String readTool, int writes, Function<Integer, ObjectNode> writeArgs,
      Function<QuerySpec, ObjectNode> readArgs) throws IOException {
    long[] w = new long[writes];
    int errors = 0;
    for (int i = 0; i < writes; i++) {
      McpChild.Reply r = mcp.call(writeTool, writeArgs.apply(i));
      if (i == 0 && r.isError()) {
        unavailable(writeTool, r, 0);
        skipped(readTool);
        return;
      }
      w[i] = r.nanos();
      errors += r.isError() ? 1 : 0;
    }
    sink.accept(timed(writeTool, w, errors));
    for (QuerySpec q : warmup) {
      if (mcp.call(readTool, readArgs.apply(q)).isError()) {
        break;
      }
    }
    List<QuerySpec> qs = work.queries();
    long[] nanos = new long[qs.size()];
    errors = 0;
    for (int i = 0; i < qs.size(); i++) {
      McpChild.Reply r = mcp.call(readTool, readArgs.apply(qs.get(i)));
      if (i == 0 && r.isError()) {
        unavailable(readTool, r, 0);
        return;
      }
      nanos[i] = r.nanos();
      errors += r.isError() ? 1 : 0;
    }
    sink.accept(timed(readTool, nanos, errors));
  }

  private void dbStats(boolean loaded) throws IOException {
    McpChild.Reply r = mcp.call("db_stats", MAPPER.createObjectNode());
    if (r.isError()) {
      unavailable("db_stats", r, 0);
      return;
    }
    ObjectNode row = timed("db_stats", new long[] {r.nanos()}, 0);
    long episodes = StatsText.episodes(r.result().path("content").path(0).path("text").asText(""));
    row.put("episodes_reported", episodes);
    if (loaded) {
      row.put("episodes_match", episodes == work.episodes().size());
    }
    sink.accept(row);
  }

  private ObjectNode timed(String tool, long[] nanos, int errors) {
    LatencyStats s = LatencyStats.of(nanos);
    ObjectNode row = base(tool);
    row.put("calls", s.count()).put("errors", errors).put("p50_ms", s.p50Ms()).put("p99_ms", s.p99Ms())
        .put("max_ms", s.maxMs()).put("mean_ms", s.meanMs());
    return row;
  }

  private void unavailable(String tool, McpChild.Reply r, int afterCalls) {
    String text = r.errorText();
    sink.accept(base(tool).put("unavailable", text.length() > 300 ? text.substring(0, 300) + "..." : text)
        .put("failed_call", afterCalls + 1));
  }

  private void skipped(String tool) {
    sink.accept(base(tool).put("unavailable", "skipped: the tool it reads from is unavailable"));
  }

  private ObjectNode base(String tool) {
    return MAPPER.createObjectNode().put("engine", engine).put("episodes", work.episodes().size()).put("tool", tool);
  }

  static double fraction(int n, int of) {
    return of == 0 ? Double.NaN : (double) n / of;
  }

  /** What a reflexion_retrieve answer says about itself against the workload. */
  record AnswerCheck(boolean filtersObeyed, int idMismatches, List<Integer> indexes) {
    /**
     * Maps each hit's id to the workload's episode ({@code id - firstId}), checks the hit's Task line names that
     * episode, and checks the filters on the reward printed and the stored success flag (the answer's own flag
     * where it gives one). A hit whose id does not map counts as a filter violation and maps to index -1.
     */
    static AnswerCheck check(RetrieveAnswer a, QuerySpec q, List<EpisodeSpec> episodes, long firstId) {
      boolean ok = true;
      int mismatches = 0;
      List<Integer> idx = new ArrayList<>(a.hits().size());
      for (RetrieveAnswer.Hit h : a.hits()) {
        long i = h.id() - firstId;
        EpisodeSpec e = i >= 0 && i < episodes.size() ? episodes.get((int) i) : null;
        if (e == null || (h.task() != null && !h.task().equals(e.task()))) {
          mismatches++;
          ok = false;
          idx.add(-1);
          continue;
        }
        idx.add((int) i);
        boolean success = h.success() != null ? h.success() : e.success();
        double reward = Double.isNaN(h.reward()) ? e.reward() : h.reward();
        if ((q.onlySuccesses() && !success) || (q.onlyFailures() && success)
            || (q.minReward() != null && reward < q.minReward() - 1e-9)) {
          ok = false;
        }
      }
      return new AnswerCheck(ok, mismatches, List.copyOf(idx));
    }
  }
}
