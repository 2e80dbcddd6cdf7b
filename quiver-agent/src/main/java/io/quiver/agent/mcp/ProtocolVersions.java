package io.quiver.agent.mcp;

import java.util.List;

/** The MCP protocol revisions this server speaks, and the negotiation rule of the initialize handshake. */
public final class ProtocolVersions {
  /** Newest first. The tool surface used here (tools/list, tools/call, isError) is the same in all three. */
  public static final List<String> SUPPORTED = List.of("2025-06-18", "2025-03-26", "2024-11-05");

  private ProtocolVersions() {}

  public static String latest() {
    return SUPPORTED.getFirst();
  }

  /** The client's requested version when supported, else the latest: the client then decides whether to go on. */
  public static String negotiate(String requested) {
    return requested != null && SUPPORTED.contains(requested) ? requested : latest();
  }
}
