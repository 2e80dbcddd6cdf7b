package io.quiver.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quiver.server.RequestLog;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Times every gRPC call as {@code grpc_server_requests_seconds} (labels {@code method}, the full RPC name, and
 * {@code status}, the gRPC code) in the server's metrics registry, and logs one line per call to the request log
 * ({@value RequestLog#LOGGER}) as {@code grpc=qdrant.Points/Search status=OK duration_ms=1.234 remote=...}. Refused
 * calls (keys, rate limits) are counted too: this interceptor runs first.
 */
final class GrpcCallLog implements ServerInterceptor {
  private static final Duration[] BUCKETS = Stream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000,
      2500, 5000, 10000).map(Duration::ofMillis).toArray(Duration[]::new);

  private final MeterRegistry registry;
  private final System.Logger log = System.getLogger(RequestLog.LOGGER);
  private final System.Logger.Level level;

  GrpcCallLog(MeterRegistry registry, System.Logger.Level level) {
    this.registry = registry;
    this.level = level;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    long start = System.nanoTime();
    String method = call.getMethodDescriptor().getFullMethodName();
    ServerCall<Q, R> timed = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        try {
          super.close(status, trailers);
        } finally {
          record(method, status, System.nanoTime() - start, call);
        }
      }
    };
    return next.startCall(timed, headers);
  }

  private void record(String method, Status status, long nanos, ServerCall<?, ?> call) {
    try {
      Timer.builder("grpc.server.requests")
          .description("gRPC calls by method and status code")
          .tags("method", method, "status", status.getCode().name())
          .serviceLevelObjectives(BUCKETS)
          .register(registry)
          .record(nanos, TimeUnit.NANOSECONDS);
      if (level != System.Logger.Level.OFF && log.isLoggable(level)) {
        log.log(level, "grpc=" + method + " status=" + status.getCode() + " duration_ms="
            + String.format(Locale.ROOT, "%.3f", nanos / 1e6) + " remote="
            + call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
      }
    } catch (RuntimeException e) {
      System.getLogger(GrpcCallLog.class.getName()).log(System.Logger.Level.WARNING, "recording a gRPC call", e);
    }
  }
}
