package io.quiver.server.grpc;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import io.quiver.server.JsonApi;
import io.quiver.server.RateLimiter;
import io.quiver.server.ServerConfig;
import io.quiver.server.TlsSetup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * Qdrant's gRPC API (Collections, Points, Snapshots, Qdrant/HealthCheck, grpc.health.v1 and server reflection) on its
 * own port beside the REST server, over the same {@link JsonApi}: handlers run on virtual threads, messages up to
 * {@code service.max_request_size_mb}, gzip accepted (grpc-java's default decompressors), TLS from the same key and
 * certificate as REST.
 */
public final class GrpcServer implements AutoCloseable {
  private final Server server;
  private final ExecutorService executor;
  private final HealthStatusManager health;

  private GrpcServer(Server server, ExecutorService executor, HealthStatusManager health) {
    this.server = server;
    this.executor = executor;
    this.health = health;
  }

  /**
   * Starts serving on {@code config.host():config.grpcPort()}.
   *
   * @throws IllegalStateException when the port cannot be bound
   */
  public static GrpcServer start(JsonApi api, MeterRegistry registry, RateLimiter rateLimiter) {
    ServerConfig config = api.config();
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    Rpc rpc = new Rpc(api);
    HealthStatusManager health = new HealthStatusManager();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.grpcPort()),
            credentials(config))
        .executor(executor)
        .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, config.maxRequestBytes()))
        .addService(new QdrantService())
        .addService(new CollectionsService(rpc))
        .addService(new PointsService(rpc))
        .addService(new SnapshotsService(rpc))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(legacyReflection())
        // interceptors run in the reverse order of adding: the call log first, so refused calls are counted
        .intercept(new GrpcAccess(config, rateLimiter))
        .intercept(new GrpcCallLog(registry, config.requestLogLevel()))
        .build();
    try {
      server.start();
    } catch (IOException e) {
      executor.shutdownNow();
      throw new IllegalStateException("cannot listen for gRPC on " + config.host() + ":" + config.grpcPort()
          + " (is the port in use?): " + e.getMessage(), e);
    }
    return new GrpcServer(server, executor, health);
  }

  @SuppressWarnings("deprecation") // v1alpha: what many tools (grpcurl before 1.9, Postman) still ask for
  private static io.grpc.BindableService legacyReflection() {
    return ProtoReflectionService.newInstance();
  }

  private static ServerCredentials credentials(ServerConfig config) {
    if (config.tls() == null) {
      return InsecureServerCredentials.create();
    }
    TlsSetup.KeyMaterial m = TlsSetup.keyMaterial(config.tls());
    try {
      char[] password = new char[0];
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("quiver", m.key(), password, m.chain().toArray(X509Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      return TlsServerCredentials.newBuilder().keyManager(kmf.getKeyManagers()).build();
    } catch (Exception e) {
      throw new IllegalArgumentException("TLS for gRPC: " + e.getMessage(), e);
    }
  }

  /** The port gRPC listens on. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      executor.shutdownNow();
    }
  }
}
