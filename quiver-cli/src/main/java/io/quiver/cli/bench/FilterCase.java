package io.quiver.cli.bench;

import io.quiver.filter.Filter;

/** One filter case of the filtered-search benchmark: a filter per query, its ground truth and matching fraction. */
record FilterCase(String name, String description, Filter[] filters, int[][] truth, double selectivity) {}
