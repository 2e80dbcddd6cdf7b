package io.quiver.cli.load;

import java.util.List;

/**
 * One load-test scenario's figures over one transport. Latencies in milliseconds, CPU in microseconds per measured
 * request; {@code pointsPerSecond} only for the upsert scenario (NaN otherwise).
 */
record ScenarioResult(Scenario scenario, Transport transport, int concurrency, long requests, long errors,
    double seconds, double rps, double meanMs, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs,
    double recall, int recallQueries, double pointsPerSecond, double clientCpuUsPerReq, double processCpuUsPerReq,
    double clientCores, double processCores, List<String> errorSamples) {

  /** The scenario and, for gRPC, the transport: {@code unfiltered}, {@code unfiltered/grpc}. */
  String label() {
    return transport == Transport.REST ? scenario.label() : scenario.label() + "/" + transport.label();
  }

  ScenarioResult withPointsPerSecond(double pps) {
    return new ScenarioResult(scenario, transport, concurrency, requests, errors, seconds, rps, meanMs, p50Ms, p90Ms,
        p99Ms, p999Ms, maxMs, recall, recallQueries, pps, clientCpuUsPerReq, processCpuUsPerReq, clientCores,
        processCores, errorSamples);
  }

  /** The same figures with {@code more} errors (a check after the run failed). */
  ScenarioResult withErrors(long more, List<String> samples) {
    List<String> all = new java.util.ArrayList<>(errorSamples);
    all.addAll(samples);
    return new ScenarioResult(scenario, transport, concurrency, requests, errors + more, seconds, rps, meanMs, p50Ms,
        p90Ms, p99Ms, p999Ms, maxMs, recall, recallQueries, pointsPerSecond, clientCpuUsPerReq, processCpuUsPerReq,
        clientCores, processCores, List.copyOf(all));
  }
}
