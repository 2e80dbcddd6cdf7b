package io.quiver.cli.bench;

import io.quiver.collection.SearchStrategy;
import java.util.Map;

/**
 * One measured (case, method) of the filtered-search benchmark: recall@k, QPS, distances per query, the fraction of
 * queries a graph search left short of k, and the segment strategies as searched ({@code mix}) and as planned.
 */
record FilterRow(String method, int ef, double recall, double qps, double distances, double fallbackRate,
    Map<SearchStrategy, Long> mix, Map<SearchStrategy, Long> planned, String note) {}
