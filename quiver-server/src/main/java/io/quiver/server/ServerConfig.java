package io.quiver.server;

import io.quiver.agent.embed.Embedders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the server is configured with; build one with {@link #builder()} or load one with
 * {@link ServerConfigLoader} (YAML file, then {@code QUIVER__...} environment variables, then flags).
 *
 * @param host address to bind; loopback by default
 * @param port TCP port; 0 picks a free one
 * @param grpcPort TCP port of Qdrant's gRPC API ({@code service.grpc_port}); 0 picks a free one, -1 turns gRPC off
 * @param dataDir the database directory (used by {@code quiver serve}; the server itself is handed an open database)
 * @param apiKey the full-access key, or null for no authentication
 * @param readOnlyApiKey a key that may read (get, search, query, scroll, count, list, download) but not write; null
 *     for none. Setting only this key makes every write refused.
 * @param maxRequestBytes largest request body accepted (413 above)
 * @param maxSnapshotUploadBytes largest snapshot file accepted by upload or recover (streamed to disk, 413 above)
 * @param maxLimit largest {@code limit} (plus {@code offset}) a search, query or scroll may ask for
 * @param maxBatch most points, ids or searches one request may carry
 * @param maxPayloadBytes largest JSON payload per point of the collections this server creates (kept in each
 *     collection's config: a collection keeps the limit it was created with)
 * @param requestTimeout how long a read request may run before the client gets 408; zero for no limit
 * @param rateLimitPerSecond sustained requests per second allowed per API key (or per client address when no keys
 *     are configured); 0 disables rate limiting
 * @param rateLimitBurst requests allowed at once above the sustained rate
 * @param cors cross-origin settings
 * @param tls TLS settings, or null for plain HTTP
 * @param requestLogLevel level of the one-line-per-request log ({@code OFF} disables it)
 * @param memoryBudget the most heap the collections may hold together, in bytes ({@code storage.memory_budget}); 0
 *     for no limit. Writes and jobs that would grow past it are refused with 507.
 * @param agentEnabled whether {@code /quiver/agent/...} is served ({@code agent.enabled}, default on)
 * @param agentEmbedder the agent memory's embedder ({@code agent.embedder}: {@code token-hash} (default) or
 *     {@code minilm}); a memory written with one embedder refuses to open with another
 * @param mcp MCP over streamable HTTP ({@code mcp.*}) on the same agent memory
 */
public record ServerConfig(
    String host,
    int port,
    int grpcPort,
    Path dataDir,
    String apiKey,
    String readOnlyApiKey,
    long maxRequestBytes,
    long maxSnapshotUploadBytes,
    int maxLimit,
    int maxBatch,
    int maxPayloadBytes,
    Duration requestTimeout,
    double rateLimitPerSecond,
    int rateLimitBurst,
    Cors cors,
    Tls tls,
    System.Logger.Level requestLogLevel,
    long memoryBudget,
    boolean agentEnabled,
    String agentEmbedder,
    McpHttpConfig mcp) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 6333;
  public static final int DEFAULT_GRPC_PORT = 6334;
  /** The gRPC port that turns gRPC off. */
  public static final int GRPC_OFF = -1;
  public static final long DEFAULT_MAX_REQUEST_BYTES = 32L << 20;
  public static final long DEFAULT_MAX_SNAPSHOT_UPLOAD_BYTES = 1L << 30;
  public static final int DEFAULT_MAX_LIMIT = 10_000;
  public static final int DEFAULT_MAX_BATCH = 10_000;
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Cross-origin resource sharing: browsers on {@code allowedOrigins} may call the API ({@code "*"} = any origin).
   */
  public record Cors(boolean enabled, List<String> allowedOrigins) {
    public Cors {
      allowedOrigins = List.copyOf(allowedOrigins);
    }

    public static Cors allowAll() {
      return new Cors(true, List.of("*"));
    }

    public static Cors disabled() {
      return new Cors(false, List.of());
    }

    boolean allows(String origin) {
      return enabled && (allowedOrigins.contains("*") || allowedOrigins.contains(origin));
    }
  }

  /**
   * TLS from either PEM files ({@code certChain} + {@code privateKey}, unencrypted PKCS#8 key) or a PKCS#12
   * {@code keystore} with its password.
   */
  public record Tls(Path certChain, Path privateKey, Path keystore, String keystorePassword) {
    public Tls {
      boolean pem = certChain != null || privateKey != null;
      if (pem && (certChain == null || privateKey == null)) {
        throw new IllegalArgumentException("tls: both cert and key are needed for PEM files");
      }
      if (pem == (keystore != null)) {
        throw new IllegalArgumentException("tls: give either cert + key (PEM) or keystore (PKCS#12), not "
            + (pem ? "both" : "neither"));
      }
    }

    public static Tls pem(Path certChain, Path privateKey) {
      return new Tls(certChain, privateKey, null, null);
    }

    public static Tls pkcs12(Path keystore, String password) {
      return new Tls(null, null, keystore, password == null ? "" : password);
    }

    @Override
    public String toString() { // never print the password
      return keystore != null ? "Tls[keystore=" + keystore + "]" : "Tls[cert=" + certChain + ", key=" + privateKey + "]";
    }
  }

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(cors, "cors");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(requestLogLevel, "requestLogLevel");
    Objects.requireNonNull(agentEmbedder, "agentEmbedder");
    Objects.requireNonNull(mcp, "mcp");
    apiKey = blankToNull(apiKey);
    readOnlyApiKey = blankToNull(readOnlyApiKey);
    check(port >= 0 && port <= 65_535, "port must be in 0..65535, got " + port);
    check(grpcPort >= GRPC_OFF && grpcPort <= 65_535, "grpc port must be in 0..65535 (or -1: off), got " + grpcPort);
    check(port == 0 || grpcPort != port, "the REST and gRPC ports must differ, both are " + port);
    check(maxRequestBytes > 0, "max request size must be positive");
    check(maxSnapshotUploadBytes > 0, "max snapshot upload size must be positive");
    check(maxLimit > 0, "max_limit must be positive");
    check(maxBatch > 0, "max_batch_size must be positive");
    check(maxPayloadBytes >= 2, "max payload size must be at least 2 bytes");
    check(!requestTimeout.isNegative(), "request timeout must not be negative");
    check(rateLimitPerSecond >= 0 && Double.isFinite(rateLimitPerSecond), "rate limit must be >= 0");
    check(rateLimitBurst >= 1, "rate limit burst must be >= 1");
    check(apiKey == null || !apiKey.equals(readOnlyApiKey), "api_key and read_only_api_key must differ");
    check(memoryBudget >= 0, "storage.memory_budget must be >= 0 (0: none), got " + memoryBudget);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Whether Qdrant's gRPC API is served. */
  public boolean grpcEnabled() {
    return grpcPort != GRPC_OFF;
  }

  /** Whether requests must carry an API key. */
  public boolean authEnabled() {
    return apiKey != null || readOnlyApiKey != null;
  }

  @Override
  public String toString() { // keys are secrets: say whether they are set, never what they are
return "ServerConfig[host=" + host + ", port=" + port + ", grpcPort=" + grpcPort + ", dataDir=" + dataDir + ", apiKey="
        + (apiKey == null ? "none" : "set") + ", readOnlyApiKey=" + (readOnlyApiKey == null ? "none" : "set")
        + ", maxRequestBytes=" + maxRequestBytes + ", maxSnapshotUploadBytes=" + maxSnapshotUploadBytes
        + ", maxLimit=" + maxLimit + ", maxBatch=" + maxBatch + ", maxPayloadBytes=" + maxPayloadBytes
        + ", requestTimeout=" + requestTimeout + ", rateLimitPerSecond=" + rateLimitPerSecond + ", rateLimitBurst="
        + rateLimitBurst + ", cors=" + cors + ", tls=" + tls + ", requestLogLevel=" + requestLogLevel
        + ", memoryBudget=" + memoryBudget + ", agentEnabled=" + agentEnabled + ", agentEmbedder=" + agentEmbedder
        + ", mcp=" + mcp + "]";
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().host(host).port(port).grpcPort(grpcPort).dataDir(dataDir).apiKey(apiKey).readOnlyApiKey(readOnlyApiKey)
        .maxRequestBytes(maxRequestBytes).maxSnapshotUploadBytes(maxSnapshotUploadBytes).maxLimit(maxLimit).maxBatch(maxBatch)
        .maxPayloadBytes(maxPayloadBytes).requestTimeout(requestTimeout)
        .rateLimit(rateLimitPerSecond, rateLimitBurst).cors(cors).tls(tls).requestLogLevel(requestLogLevel)
        .memoryBudget(memoryBudget).agentEnabled(agentEnabled).agentEmbedder(agentEmbedder).mcp(mcp);
  }

  /** Defaults: loopback:6333, ./quiver-data, no keys, 32 MiB bodies, CORS for any origin, no TLS, no rate limit. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private Integer grpcPort;
    private Path dataDir = Path.of("quiver-data");
    private String apiKey;
    private String readOnlyApiKey;
    private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private long maxSnapshotUploadBytes = DEFAULT_MAX_SNAPSHOT_UPLOAD_BYTES;
    private int maxLimit = DEFAULT_MAX_LIMIT;
    private int maxBatch = DEFAULT_MAX_BATCH;
    private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private double rateLimitPerSecond;
    private int rateLimitBurst = 100;
    private Cors cors = Cors.allowAll();
    private Tls tls;
    private System.Logger.Level requestLogLevel = System.Logger.Level.INFO;
    private long memoryBudget;
    private boolean agentEnabled = true;
    private String agentEmbedder = Embedders.DEFAULT;
    private McpHttpConfig mcp = McpHttpConfig.defaults();

    private Builder() {}

    public Builder host(String v) { host = v; return this; }
    public Builder port(int v) { port = v; return this; }

    /**
     * The gRPC port: 0 for a free one, {@link #GRPC_OFF} for none. Left unset it is {@value #DEFAULT_GRPC_PORT}, or 0
     * when the REST port is 0 (a server on free ports takes no fixed port).
     */
    public Builder grpcPort(int v) { grpcPort = v; return this; }
    public Builder dataDir(Path v) { dataDir = v; return this; }
    public Builder apiKey(String v) { apiKey = v; return this; }
    public Builder readOnlyApiKey(String v) { readOnlyApiKey = v; return this; }
    public Builder maxRequestBytes(long v) { maxRequestBytes = v; return this; }
    public Builder maxSnapshotUploadBytes(long v) { maxSnapshotUploadBytes = v; return this; }
    public Builder maxLimit(int v) { maxLimit = v; return this; }
    public Builder maxBatch(int v) { maxBatch = v; return this; }
    public Builder maxPayloadBytes(int v) { maxPayloadBytes = v; return this; }
    public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }

    public Builder rateLimit(double perSecond, int burst) {
      rateLimitPerSecond = perSecond;
      rateLimitBurst = burst;
      return this;
    }

    public Builder cors(Cors v) { cors = v; return this; }
    public Builder tls(Tls v) { tls = v; return this; }
    public Builder requestLogLevel(System.Logger.Level v) { requestLogLevel = v; return this; }
    public Builder memoryBudget(long bytes) { memoryBudget = bytes; return this; }
    public Builder agentEnabled(boolean v) { agentEnabled = v; return this; }
    public Builder agentEmbedder(String v) { agentEmbedder = v; return this; }
    public Builder mcp(McpHttpConfig v) { mcp = v; return this; }

    public ServerConfig build() {
      int grpc = grpcPort != null ? grpcPort : port == 0 ? 0 : DEFAULT_GRPC_PORT;
      return new ServerConfig(host, port, grpc, dataDir, apiKey, readOnlyApiKey, maxRequestBytes, maxSnapshotUploadBytes,
          maxLimit, maxBatch, maxPayloadBytes,
          requestTimeout, rateLimitPerSecond, rateLimitBurst, cors, tls, requestLogLevel, memoryBudget,
          agentEnabled, agentEmbedder, mcp);
    }
  }
}
