package io.quiver.cli.bench.agent;

import io.quiver.cli.QuiverCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How each engine's MCP server is started: Quiver's as a child JVM running {@code QuiverCli mcp} on this process's
 * class path (the way an MCP client starts it, minus the launcher script), AgentDB's as {@code agentdb mcp start}
 * from an npm install of {@value #AGENTDB_VERSION} kept in a cache directory, in a scratch directory where
 * {@code agentdb init} has created its tables first (a fresh directory gets none).
 */
record EngineLaunch(String engine, List<String> command, Map<String, String> env, Path cwd) {
  static final String QUIVER = "quiver";
  static final String AGENTDB = "agentdb";
  static final String AGENTDB_VERSION = "3.3.0";

  static EngineLaunch quiver(Path dataDir, String heap, List<String> jvmOptions) throws IOException {
    Files.createDirectories(dataDir);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED", "-Xmx" + heap));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), QuiverCli.class.getName(), "mcp", "--data-dir",
        dataDir.toString(), "--embedder", "token-hash", "--admin"));
    return new EngineLaunch(QUIVER, List.copyOf(cmd), Map.of(), dataDir.getParent());
  }

  /** Installs agentdb into {@code cacheDir} if it is not there yet, runs {@code agentdb init} in {@code workDir}. */
  static EngineLaunch agentDb(Path cacheDir, Path workDir, Path log) throws IOException {
    Path bin = cacheDir.resolve("node_modules/.bin/agentdb");
    if (!installedVersion(cacheDir).equals(AGENTDB_VERSION)) {
      Files.createDirectories(cacheDir);
      run(List.of("npm", "install", "--prefix", cacheDir.toString(), "--no-audit", "--no-fund",
          "agentdb@" + AGENTDB_VERSION), cacheDir, log, 900);
      if (!installedVersion(cacheDir).equals(AGENTDB_VERSION)) {
        throw new IOException("npm did not install agentdb@" + AGENTDB_VERSION + " into " + cacheDir + "; see " + log);
      }
    }
    Files.createDirectories(workDir);
    run(List.of(bin.toString(), "init"), workDir, log, 300);
    if (!Files.exists(workDir.resolve("agentdb.db"))) {
      throw new IOException("agentdb init created no agentdb.db in " + workDir + "; see " + log);
    }
    return new EngineLaunch(AGENTDB, List.of(bin.toString(), "mcp", "start"), Map.of("AGENTDB_MCP_PROFILE", "admin"),
        workDir);
  }

  static String installedVersion(Path cacheDir) throws IOException {
    Path pkg = cacheDir.resolve("node_modules/agentdb/package.json");
    if (!Files.exists(pkg)) {
      return "";
    }
    String json = Files.readString(pkg, StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
    return m.find() ? m.group(1) : "";
  }

  private static void run(List<String> cmd, Path cwd, Path log, long timeoutSeconds) throws IOException {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + ": not done within " + timeoutSeconds + " s; see " + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted: " + String.join(" ", cmd));
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + "; see " + log);
    }
  }
}
