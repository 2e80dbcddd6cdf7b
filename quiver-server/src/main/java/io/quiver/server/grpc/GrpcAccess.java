package io.quiver.server.grpc;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quiver.server.RateLimiter;
import io.quiver.server.ServerConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * The REST API's access rules for gRPC: the key in {@code api-key} metadata or {@code authorization: Bearer}
 * (UNAUTHENTICATED when missing or wrong), the read-only key refused on writes (PERMISSION_DENIED), the same rate
 * limiter (RESOURCE_EXHAUSTED). Both health checks answer without a key. Keys are compared in constant time and never
 * logged.
 */
final class GrpcAccess implements ServerInterceptor {
  static final Metadata.Key<String> API_KEY = Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  /** Probes, answered without a key as in Qdrant. */
  static final Set<String> OPEN = Set.of("qdrant.Qdrant/HealthCheck", "grpc.health.v1.Health/Check",
      "grpc.health.v1.Health/Watch");
  /** The RPCs that only read: allowed to the read-only key. */
  static final Set<String> READS = Set.of(
      "qdrant.Collections/Get", "qdrant.Collections/List", "qdrant.Collections/ListCollectionAliases",
      "qdrant.Collections/ListAliases", "qdrant.Collections/CollectionClusterInfo",
      "qdrant.Collections/CollectionExists", "qdrant.Collections/ListShardKeys",
      "qdrant.Points/Get", "qdrant.Points/Search", "qdrant.Points/SearchBatch", "qdrant.Points/SearchGroups",
      "qdrant.Points/Scroll", "qdrant.Points/Recommend", "qdrant.Points/RecommendBatch",
      "qdrant.Points/RecommendGroups", "qdrant.Points/Discover", "qdrant.Points/DiscoverBatch", "qdrant.Points/Count",
      "qdrant.Points/Query", "qdrant.Points/QueryBatch", "qdrant.Points/QueryGroups", "qdrant.Points/Facet",
      "qdrant.Points/SearchMatrixPairs", "qdrant.Points/SearchMatrixOffsets",
      "qdrant.Snapshots/List", "qdrant.Snapshots/ListFull",
      "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
      "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");

  private static final ServerCall.Listener<Object> NOOP = new ServerCall.Listener<>() {};

  private final ServerConfig config;
  private final byte[] apiKey;
  private final byte[] readOnlyApiKey;
  private final RateLimiter rateLimiter;

  GrpcAccess(ServerConfig config, RateLimiter rateLimiter) {
    this.config = config;
    this.apiKey = bytes(config.apiKey());
    this.readOnlyApiKey = bytes(config.readOnlyApiKey());
    this.rateLimiter = rateLimiter;
  }

  private static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (OPEN.contains(method)) {
      return next.startCall(call, headers);
    }
    String identity;
    if (!config.authEnabled()) {
      identity = "addr:" + (call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR) instanceof InetSocketAddress a
          ? a.getAddress().getHostAddress() : "unknown");
    } else {
      String presented = presentedKey(headers);
      if (presented == null) {
        return refuse(call, Status.UNAUTHENTICATED.withDescription(
            "Unauthorized: Must provide an API key or an Authorization bearer token"));
      }
      byte[] p = presented.getBytes(StandardCharsets.UTF_8);
      if (apiKey != null && MessageDigest.isEqual(p, apiKey)) {
        identity = "key:full";
      } else if (readOnlyApiKey != null && MessageDigest.isEqual(p, readOnlyApiKey)) {
        if (!READS.contains(method)) {
          return refuse(call, Status.PERMISSION_DENIED.withDescription(
              "Forbidden: the read-only API key cannot call " + method));
        }
        identity = "key:read-only";
      } else {
        return refuse(call, Status.UNAUTHENTICATED.withDescription("Unauthorized: Invalid API key or JWT"));
      }
    }
    double waitSeconds = rateLimiter.take(identity);
    if (waitSeconds > 0) {
      return refuse(call, Status.RESOURCE_EXHAUSTED.withDescription("Too many requests: rate limit of "
          + rateLimiter.perSecond() + " requests/s exceeded; retry after " + Math.ceil(waitSeconds) + " s"));
    }
    return next.startCall(call, headers);
  }

  private static String presentedKey(Metadata headers) {
    String key = headers.get(API_KEY);
    if (key != null) {
      return key;
    }
    String auth = headers.get(AUTHORIZATION);
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
    call.close(status, new Metadata());
    return (ServerCall.Listener<Q>) NOOP;
  }
}
