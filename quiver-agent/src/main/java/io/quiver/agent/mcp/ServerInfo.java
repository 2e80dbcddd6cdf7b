package io.quiver.agent.mcp;

import io.quiver.QuiverVersion;
import java.util.Objects;

/**
 * What the initialize answer says of this server.
 *
 * @param name the serverInfo name
 * @param version the serverInfo version
 * @param instructions the initialize result's instructions for the client, or null
 */
public record ServerInfo(String name, String version, String instructions) {
  public static final String NAME = "quiver-agentdb";

  public ServerInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
  }

  /** quiver-agentdb at this build's Quiver version. */
  public static ServerInfo quiver(String instructions) {
    return new ServerInfo(NAME, QuiverVersion.current(), instructions);
  }
}
