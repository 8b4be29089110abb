// The chat on one node, everything in memory: `node examples/chat/src/server.mjs`.
import { startChatNode } from './chat-node.mjs';
import { readConfig } from './config.mjs';
import { startOrExplain, stopOnSignals } from './lifecycle.mjs';
import { memorySessionStore } from './sessions.mjs';

const config = readConfig();
const sessions = memorySessionStore();
const node = await startOrExplain(() => startChatNode(config, { sessions }), config);

// Tests read this line: keep "ready at <url>" on it.
console.log(`[chat] node ${config.nodeName} ready at ${node.url}`);
console.log(`[chat] open ${node.url} in your browser (Ctrl+C stops)`);

stopOnSignals(async () => {
  await node.close();
  sessions.close();
});
