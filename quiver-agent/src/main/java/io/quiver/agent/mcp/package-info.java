/**
 * AgentDB's MCP tools: the stdio transport ({@link io.quiver.agent.mcp.McpServer}; quiver-server serves the same
 * dispatch over streamable HTTP), JSON-RPC 2.0 dispatch ({@link io.quiver.agent.mcp.McpDispatcher}), the protocol's
 * methods ({@link io.quiver.agent.mcp.McpSession}), the 49 tools' names and input schemas as AgentDB 3.3.0 lists
 * them ({@link io.quiver.agent.mcp.ToolCatalog}), argument validation against those schemas
 * ({@link io.quiver.agent.mcp.ArgumentValidator}) and the registry that binds handlers to tool names
 * ({@link io.quiver.agent.mcp.ToolRegistry}). Each memory API plugs in as one {@link io.quiver.agent.mcp.ToolGroup};
 * a catalogued tool whose group is not registered answers an error result saying it is not available.
 *
 * <p>The protocol is written by hand on Jackson rather than on the MCP Java SDK (mcp-core with mcp-json-jackson2):
 * the stdio transport is newline-delimited JSON-RPC, a few hundred lines here, while the SDK would bring Project
 * Reactor, SLF4J (one more logging backend to keep off stdout) and a JSON-Schema library whose messages do not name
 * arguments the way AgentDB's users read them ("confidence: must be between 0 and 1").
 */
package io.quiver.agent.mcp;
