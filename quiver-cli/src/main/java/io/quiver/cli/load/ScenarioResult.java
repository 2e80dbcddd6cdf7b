package io.quiver.cli.load;

import java.util.List;

/** One load-test scenario's figures. Latencies in milliseconds, CPU in microseconds per measured request. */
record ScenarioResult(Scenario scenario, int concurrency, long requests, long errors, double seconds, double rps,
    double meanMs, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs, double recall,
    int recallQueries, double clientCpuUsPerReq, double processCpuUsPerReq, double clientCores,
    double processCores, List<String> errorSamples) {}
