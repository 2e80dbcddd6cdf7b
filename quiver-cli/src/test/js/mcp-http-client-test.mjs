// Drives Quiver's MCP endpoint with the official MCP TypeScript SDK client over streamable HTTP.
// usage: node mcp-http-client-test.mjs URL EXPECTED_TOOL_COUNT FULL_KEY READ_ONLY_KEY
// Prints "<n> steps passed" and exits 0, or prints the failed step and exits 1.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

const [url, expectedTools, fullKey, readOnlyKey] = process.argv.slice(2);
let steps = 0;
function check(condition, what) {
  if (!condition) {
    console.log(`FAILED: ${what}`);
    process.exit(1);
  }
  steps++;
}

function connect(key) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
  });
  const client = new Client({ name: 'quiver-mcp-http-client-test', version: '1.0.0' });
  return { transport, client };
}

const { transport, client } = connect(fullKey);
await client.connect(transport);
check(typeof transport.sessionId === 'string' && transport.sessionId.length >= 16,
  `the server issued an Mcp-Session-Id: ${transport.sessionId}`);
check(client.getServerVersion()?.name === 'quiver-agentdb', `serverInfo.name: ${JSON.stringify(client.getServerVersion())}`);
console.log(`negotiated ${transport.protocolVersion} with an SDK whose latest protocol is ${LATEST_PROTOCOL_VERSION}`);

await client.ping();
check(true, 'ping');

const { tools } = await client.listTools();
check(tools.length === Number(expectedTools), `tools/list has ${tools.length} tools, expected ${expectedTools}`);
check(tools.some((t) => t.name === 'reflexion_store') && tools.some((t) => t.name === 'reflexion_retrieve'),
  'tools/list names reflexion_store and reflexion_retrieve');

const tasks = ['rotate the signing keys of the payment gateway', 'water the office plants', 'order more coffee'];
const ids = [];
for (const task of tasks) {
  const stored = await client.callTool({ name: 'reflexion_store',
    arguments: { session_id: 'sdk', task, reward: 0.9, success: true, critique: 'went fine' } });
  check(stored.isError === false && stored.content[0].text.startsWith('✅ Stored episode #'),
    `reflexion_store: ${JSON.stringify(stored)}`);
  ids.push(stored.structuredContent.id);
}

const found = await client.callTool({ name: 'reflexion_retrieve',
  arguments: { task: 'rotate signing keys for the payment gateway', k: 2 } });
check(found.isError === false && found.content[0].text.startsWith('🔍 Retrieved 2 episodes:'),
  `reflexion_retrieve text: ${found.content[0].text}`);
check(found.structuredContent.results[0].id === ids[0],
  `the nearest episode comes first: ${JSON.stringify(found.structuredContent.results.map((r) => r.id))} vs ${ids}`);

const missing = await client.callTool({ name: 'reflexion_store', arguments: { task: 'no reward given' } });
check(missing.isError === true && missing.content[0].text.includes('reward: is required'),
  `a missing argument is an error result naming it: ${JSON.stringify(missing)}`);

let unknown = null;
try {
  await client.callTool({ name: 'no_such_tool', arguments: {} });
} catch (e) {
  unknown = e;
}
check(unknown?.code === -32602, `an unknown tool is a -32602 error: ${unknown}`);

// the read-only key reads but cannot store
const ro = connect(readOnlyKey);
await ro.client.connect(ro.transport);
const roFound = await ro.client.callTool({ name: 'reflexion_retrieve', arguments: { task: 'office plants', k: 1 } });
check(roFound.structuredContent.results[0].id === ids[1], `the read-only key retrieves: ${JSON.stringify(roFound)}`);
let forbidden = null;
try {
  await ro.client.callTool({ name: 'reflexion_store',
    arguments: { session_id: 'sdk', task: 'sneaky write', reward: 1, success: true } });
} catch (e) {
  forbidden = e;
}
check(forbidden?.code === -32001 && String(forbidden.message).includes('read-only API key'),
  `the read-only key cannot store: ${forbidden}`);
await ro.client.close();

// close: DELETE ends the session; the old id is then unknown (404)
const sessionId = transport.sessionId;
await transport.terminateSession();
check(transport.sessionId === undefined, 'terminateSession clears the session id');
const after = await fetch(url, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
    Authorization: `Bearer ${fullKey}`, 'Mcp-Session-Id': sessionId },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
});
check(after.status === 404, `a request on the ended session answers 404, got ${after.status}`);
await client.close();
console.log(`${steps} steps passed`);
