package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quiver.agent.embed.Embedders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@link ServerConfig}: defaults, overlaid by a YAML file, overlaid by environment variables
 * {@code QUIVER__SECTION__KEY} (e.g. {@code QUIVER__SERVICE__API_KEY}); command-line flags go on top through the
 * returned builder. Unknown keys are errors, so a misspelt {@code api_key} cannot silently leave the server open.
 *
 * <pre>{@code
 * service:
 *   host: 127.0.0.1              # 0.0.0.0 to listen on every interface
 *   http_port: 6333
 *   grpc_port: 6334              # Qdrant's gRPC API; 0 = a free port, -1 = off
 *   grpc_enabled: true           # false turns the gRPC API off
 *   api_key: <secret>            # full access; sent as `api-key: <secret>` or `Authorization: Bearer <secret>`
 *   read_only_api_key: <secret>  # search, query, scroll, count, get, list, snapshot download
 *   max_request_size_mb: 32
 *   max_snapshot_upload_mb: 1024  # snapshot upload / recover download
 *   max_limit: 10000             # largest limit + offset of a search, query or scroll
 *   max_batch_size: 10000        # most points / ids / searches in one request
 *   max_payload_size_kb: 1024    # largest payload per point of collections created by this server
 *   request_timeout_sec: 60      # reads only; 0 = none
 *   rate_limit_per_second: 0     # per API key (per client address without keys); 0 = off
 *   rate_limit_burst: 100
 *   enable_cors: true
 *   cors_allowed_origins: ["*"]
 *   enable_tls: false
 *   request_log_level: INFO      # OFF, DEBUG, INFO, WARNING
 * storage:
 *   storage_path: ./quiver-data
 *   memory_budget: 2GiB          # most heap the collections may hold; 512MiB, 1.5GB, bytes; 0 = none
 * agent:                         # agent memory under /quiver/agent, in <storage_path>/agent
 *   enabled: true
 *   embedder: token-hash         # or minilm (the local all-MiniLM-L6-v2 model)
 * mcp:                           # MCP over streamable HTTP, on the same agent memory
 *   enabled: true
 *   path: /mcp
 *   admin: false                 # true also offers the admin-only tools (init, deletes, cache clearing)
 *   session_idle_timeout_sec: 3600
 *   max_sessions: 10000
 * tls:
 *   cert: ./tls/cert.pem         # PEM certificate chain ...
 *   key: ./tls/key.pem           # ... and unencrypted PKCS#8 PEM private key
 *   keystore: ./tls/server.p12   # or a PKCS#12 keystore
 *   keystore_password: <secret>
 * }</pre>
 */
public final class ServerConfigLoader {
  public static final String ENV_PREFIX = "QUIVER__";

  private static final Map<String, Set<String>> SCHEMA = Map.of(
      "service", Set.of("host", "http_port", "grpc_port", "grpc_enabled", "api_key", "read_only_api_key", "max_request_size_mb", "max_snapshot_upload_mb", "max_limit",
          "max_batch_size", "max_payload_size_kb", "request_timeout_sec", "rate_limit_per_second", "rate_limit_burst", "enable_cors",
          "cors_allowed_origins", "enable_tls", "request_log_level"),
      "storage", Set.of("storage_path", "memory_budget"),
      "tls", Set.of("cert", "key", "keystore", "keystore_password"),
      "agent", Set.of("enabled", "embedder"),
      "mcp", Set.of("enabled", "path", "admin", "session_idle_timeout_sec", "max_sessions"));

  private ServerConfigLoader() {}

  /**
   * The configuration from {@code yamlFile} (null for none) and {@code env}, as a builder for flags to override.
   *
   * @throws IllegalArgumentException naming the file or variable and key when something is unknown or mistyped
   */
  public static ServerConfig.Builder load(Path yamlFile, Map<String, String> env) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    if (yamlFile != null) {
      root = readYaml(yamlFile);
    }
    overlayEnv(root, env);
    return apply(root);
  }

  private static ObjectNode readYaml(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("config file " + file + " does not exist");
    }
    JsonNode node;
    try {
      node = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("config file " + file + " is not valid YAML: " + e.getMessage(), e);
    }
    if (node == null || node.isMissingNode() || node.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!(node instanceof ObjectNode o)) {
      throw new IllegalArgumentException("config file " + file + ": the top level must be a mapping");
    }
    for (var section : o.properties()) {
      Set<String> keys = SCHEMA.get(section.getKey());
      if (keys == null) {
        throw new IllegalArgumentException("config file " + file + ": unknown section '" + section.getKey()
            + "' (known: " + new TreeMap<>(SCHEMA).keySet() + ")");
      }
      if (!section.getValue().isObject()) {
        throw new IllegalArgumentException("config file " + file + ": '" + section.getKey() + "' must be a mapping");
      }
      for (var key : section.getValue().properties()) {
        if (!keys.contains(key.getKey())) {
          throw new IllegalArgumentException("config file " + file + ": unknown key '" + section.getKey() + "."
              + key.getKey() + "' (known: " + new TreeMap<>(Map.of(section.getKey(), keys)).values() + ")");
        }
      }
    }
    return o;
  }

  private static void overlayEnv(ObjectNode root, Map<String, String> env) {
    for (var e : new TreeMap<>(env).entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX)) {
        continue;
      }
      String[] parts = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).split("__");
      Set<String> keys = parts.length == 2 ? SCHEMA.get(parts[0]) : null;
      if (keys == null || !keys.contains(parts[1])) {
        throw new IllegalArgumentException("environment variable " + e.getKey()
            + " is not a Quiver setting (expected QUIVER__<SECTION>__<KEY>, e.g. QUIVER__SERVICE__API_KEY)");
      }
      // Values stay text; apply() converts and names the variable's key when the text is not a valid value.
      ObjectNode section = root.has(parts[0]) ? (ObjectNode) root.get(parts[0]) : root.putObject(parts[0]);
      section.put(parts[1], e.getValue());
    }
  }

  private static ServerConfig.Builder apply(ObjectNode root) {
    ServerConfig.Builder b = ServerConfig.builder();
    JsonNode s = root.path("service");
    ServerConfig defaults = b.build();
    str(s.get("host"), "service.host").ifPresent(b::host);
    int32(s, "http_port", "service").ifPresent(b::port);
    int32(s, "grpc_port", "service").ifPresent(b::grpcPort);
    if (!bool(s, "grpc_enabled", "service").orElse(true)) {
      b.grpcPort(ServerConfig.GRPC_OFF);
    }
    str(s.get("api_key"), "service.api_key").ifPresent(b::apiKey);
    str(s.get("read_only_api_key"), "service.read_only_api_key").ifPresent(b::readOnlyApiKey);
    integer(s, "max_request_size_mb", "service").ifPresent(v -> {
      if (v <= 0 || v > (1L << 20)) {
        throw new IllegalArgumentException("service.max_request_size_mb must be in 1..1048576, got " + v);
      }
      b.maxRequestBytes(v << 20);
    });
    integer(s, "max_snapshot_upload_mb", "service").ifPresent(v -> {
      if (v <= 0 || v > (1L << 30)) {
        throw new IllegalArgumentException("service.max_snapshot_upload_mb must be in 1..1073741824, got " + v);
      }
      b.maxSnapshotUploadBytes(v << 20);
    });
    int32(s, "max_limit", "service").ifPresent(b::maxLimit);
    int32(s, "max_batch_size", "service").ifPresent(b::maxBatch);
    integer(s, "max_payload_size_kb", "service").ifPresent(v -> {
      if (v <= 0 || v > (1L << 20)) {
        throw new IllegalArgumentException("service.max_payload_size_kb must be in 1..1048576, got " + v);
      }
      b.maxPayloadBytes((int) (v << 10));
    });
    number(s, "request_timeout_sec", "service")
        .ifPresent(v -> b.requestTimeout(Duration.ofMillis(Math.round(v * 1000))));
    double rate = number(s, "rate_limit_per_second", "service").orElse(defaults.rateLimitPerSecond());
    int burst = int32(s, "rate_limit_burst", "service").orElse(defaults.rateLimitBurst());
    b.rateLimit(rate, burst);
    boolean cors = bool(s, "enable_cors", "service").orElse(true);
    List<String> origins = list(s.get("cors_allowed_origins"), "service.cors_allowed_origins")
        .orElse(List.of("*"));
    b.cors(cors ? new ServerConfig.Cors(true, origins) : ServerConfig.Cors.disabled());
    str(root.path("storage").get("storage_path"), "storage.storage_path").ifPresent(p -> b.dataDir(Path.of(p)));
    str(root.path("storage").get("memory_budget"), "storage.memory_budget")
        .ifPresent(v -> b.memoryBudget(size(v, "storage.memory_budget")));
    str(s.get("request_log_level"), "service.request_log_level").ifPresent(l -> b.requestLogLevel(level(l)));
    bool(root.path("agent"), "enabled", "agent").ifPresent(b::agentEnabled);
    str(root.path("agent").get("embedder"), "agent.embedder").ifPresent(e -> {
      if (!Embedders.names().contains(e.trim().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("agent.embedder: '" + e + "' is not one of " + Embedders.names());
      }
      b.agentEmbedder(e);
    });
    b.mcp(mcp(root.path("mcp")));

    JsonNode t = root.path("tls");
    boolean tlsOn = bool(s, "enable_tls", "service").orElse(false);
    if (tlsOn) {
      var cert = str(t.get("cert"), "tls.cert").map(Path::of).orElse(null);
      var key = str(t.get("key"), "tls.key").map(Path::of).orElse(null);
      var ks = str(t.get("keystore"), "tls.keystore").map(Path::of).orElse(null);
      var pw = str(t.get("keystore_password"), "tls.keystore_password").orElse(null);
      b.tls(ks != null && cert == null && key == null ? ServerConfig.Tls.pkcs12(ks, pw)
          : new ServerConfig.Tls(cert, key, ks, pw));
    }
    return b;
  }

  private static McpHttpConfig mcp(JsonNode m) {
    McpHttpConfig c = McpHttpConfig.defaults();
    c = c.withEnabled(bool(m, "enabled", "mcp").orElse(c.enabled()));
    c = c.withPath(str(m.get("path"), "mcp.path").map(String::trim).orElse(c.path()));
    c = c.withAdmin(bool(m, "admin", "mcp").orElse(c.admin()));
    var idle = number(m, "session_idle_timeout_sec", "mcp");
    if (idle.isPresent()) {
      if (!(idle.get() > 0) || idle.get() > 1e9) {
        throw new IllegalArgumentException("mcp.session_idle_timeout_sec must be in (0, 1e9], got " + idle.get());
      }
      c = c.withSessionIdleTimeout(Duration.ofMillis(Math.max(1, Math.round(idle.get() * 1000))));
    }
    return c.withMaxSessions(int32(m, "max_sessions", "mcp").orElse(c.maxSessions()));
  }

  /** A log level by name: OFF, TRACE, DEBUG, INFO, WARNING, ERROR (case-insensitive). */
  public static System.Logger.Level level(String name) {
    if (name.trim().equalsIgnoreCase("false")) {
      return System.Logger.Level.OFF; // YAML 1.1 reads a bare `off` as false
    }
    try {
      return System.Logger.Level.valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("request_log_level: '" + name
          + "' is not one of OFF, TRACE, DEBUG, INFO, WARNING, ERROR");
    }
  }

  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?b?)");

  /**
   * A size in bytes: a number of bytes, or one with a unit K, M, G or T (binary multiples, as the JVM's -Xmx reads
   * them; {@code KB}, {@code KiB} and {@code k} all mean 1,024 bytes), case-insensitive, e.g. {@code 512MiB},
   * {@code 1.5g}, {@code 2GB}.
   */
  public static long size(String text, String name) {
    Matcher m = SIZE.matcher(text.trim().replace("_", "").toLowerCase(Locale.ROOT));
    if (!m.matches() || (m.group(2).isEmpty() && !m.group(3).isEmpty() && !m.group(3).equals("b"))) {
      throw new IllegalArgumentException(name + " must be a size such as 2GiB, 512MB or a number of bytes, got '"
          + text + "'");
    }
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      default -> 0;
    };
    double bytes = Double.parseDouble(m.group(1)) * (1L << shift);
    if (bytes >= Long.MAX_VALUE) {
      throw new IllegalArgumentException(name + " is too large: '" + text + "'");
    }
    return (long) bytes;
  }

  private static Optional<String> str(JsonNode s, String name) {
    if (s == null || s.isNull()) {
      return Optional.empty();
    }
    if (!s.isValueNode()) {
      throw new IllegalArgumentException(name + " must be a single value");
    }
    return Optional.of(s.asText());
  }

  private static Optional<Long> integer(JsonNode section, String key, String sectionName) {
    return str(section.get(key), sectionName + "." + key).map(text -> {
      try {
        return Long.parseLong(text.trim().replace("_", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(sectionName + "." + key + " must be a whole number, got '" + text + "'");
      }
    });
  }

  private static Optional<Integer> int32(JsonNode section, String key, String sectionName) {
    return integer(section, key, sectionName).map(v -> {
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(sectionName + "." + key + " is out of range: " + v);
      }
      return v.intValue();
    });
  }

  private static Optional<Double> number(JsonNode section, String key, String sectionName) {
    return str(section.get(key), sectionName + "." + key).map(text -> {
      try {
        return Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(sectionName + "." + key + " must be a number, got '" + text + "'");
      }
    });
  }

  private static Optional<Boolean> bool(JsonNode section, String key, String sectionName) {
    return str(section.get(key), sectionName + "." + key).map(text -> switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new IllegalArgumentException(sectionName + "." + key + " must be true or false, got '"
          + text + "'");
    });
  }

  /** A YAML list, or (from an environment variable) comma-separated text. */
  private static Optional<List<String>> list(JsonNode n, String name) {
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(v -> out.add(str(v, name + "[]").orElseThrow()));
    } else {
      for (String part : n.asText().split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return Optional.of(out);
  }
}
