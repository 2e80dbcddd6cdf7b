// Drives `quiver mcp` with the official MCP TypeScript SDK client over stdio.
// usage: node mcp-client-test.mjs EXPECTED_TOOL_COUNT SERVER_COMMAND [SERVER_ARGS...]
// Prints "<n> steps passed" and exits 0, or prints the failed step and exits 1.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

const [expectedTools, command, ...args] = process.argv.slice(2);
let steps = 0;
function check(condition, what) {
  if (!condition) {
    console.log(`FAILED: ${what}`);
    process.exit(1);
  }
  steps++;
}

const transport = new StdioClientTransport({ command, args, stderr: 'inherit' });
const client = new Client({ name: 'quiver-mcp-client-test', version: '1.0.0' });
try {
  await client.connect(transport);
  check(client.getServerVersion()?.name === 'quiver-agentdb', `serverInfo.name: ${JSON.stringify(client.getServerVersion())}`);
  check(client.getServerCapabilities()?.tools !== undefined, 'capabilities.tools');
  console.log(`negotiated with an SDK whose latest protocol is ${LATEST_PROTOCOL_VERSION}`);

  await client.ping();
  check(true, 'ping');

  const { tools } = await client.listTools();
  check(tools.length === Number(expectedTools), `tools/list has ${tools.length} tools, expected ${expectedTools}`);
  check(tools.every((t) => t.inputSchema?.type === 'object' && typeof t.description === 'string'),
    'every tool has a description and an object input schema');
  const names = new Set(tools.map((t) => t.name));
  for (const n of ['reflexion_store', 'reflexion_retrieve', 'skill_search', 'causal_add_edge', 'recall_with_certificate',
    'learning_start_session', 'db_stats']) {
    check(names.has(n), `tools/list names ${n}`);
  }

  const missing = await client.callTool({ name: 'reflexion_store', arguments: { task: 'fix the login test' } });
  check(missing.isError === true, `missing arguments give an error result: ${JSON.stringify(missing)}`);
  check(missing.content[0].text.includes('reward: is required'), `the error names the argument: ${missing.content[0].text}`);

  const range = await client.callTool({ name: 'causal_add_edge',
    arguments: { cause: 'a', effect: 'b', uplift: 0.1, confidence: 5 } });
  check(range.isError === true && range.content[0].text.includes('confidence: must be between 0 and 1'),
    `an out-of-range confidence is refused: ${JSON.stringify(range)}`);

  let unknown = null;
  try {
    await client.callTool({ name: 'no_such_tool', arguments: {} });
  } catch (e) {
    unknown = e;
  }
  check(unknown?.code === -32602, `an unknown tool is a -32602 error: ${unknown}`);

  await client.ping();
  check(true, 'still serving after the errors');
} finally {
  await client.close();
}
console.log(`${steps} steps passed`);
