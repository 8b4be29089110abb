// The chat on two nodes behind Socket.io's Redis adapter:
// `node examples/chat/src/cluster.mjs` (Redis from REDIS_URL, else 127.0.0.1:6379).
// Open one node's URL in a tab and the other's in a second tab, log in, log out in one:
// the other tab is cut too, although its socket lives in another process.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readConfig } from './config.mjs';

const config = readConfig();

/** Two ports: PORT and PORT + 1, or two free ones when PORT is 0. */
async function choosePorts() {
  if (config.port !== 0) return [config.port, config.port + 1];
  const free = () =>
    new Promise((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, config.host, () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    });
  const first = await free();
  let second = await free();
  while (second === first) second = await free();
  return [first, second];
}

const ports = await choosePorts();
const shared = {
  ...process.env,
  // Both nodes must check the tokens either one issues.
  CHAT_JWT_SECRET: process.env.CHAT_JWT_SECRET || randomBytes(32).toString('base64url'),
  CHAT_PAGE_PORTS: ports.join(','),
};
const script = fileURLToPath(new URL('./cluster-node.mjs', import.meta.url));
const nodes = ['a', 'b'].map((name, index) =>
  fork(script, [], {
    env: { ...shared, CHAT_NODE_NAME: name, PORT: String(ports[index]) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  }),
);

const ready = [];
for (const node of nodes) {
  node.on('message', (message) => {
    if (typeof message?.ready !== 'string') return;
    ready.push(message.ready);
    if (ready.length === nodes.length) {
      console.log(
        `[chat] open ${ready.sort().join(' and ')} in two tabs of one browser, sign in on one, log out on the other (Ctrl+C stops both nodes)`,
      );
    }
  });
}

let stopping = false;
const stopAll = (code) => {
  if (stopping) return;
  stopping = true;
  for (const node of nodes) if (node.exitCode === null) node.kill('SIGTERM');
  process.exitCode = code;
};
for (const node of nodes) {
  node.once('exit', (code) => {
    // One node gone (Redis missing, crash): stop the other, say so with the exit code.
    if (!stopping) stopAll(code === 0 ? 1 : (code ?? 1));
  });
}
process.once('SIGINT', () => stopAll(0));
process.once('SIGTERM', () => stopAll(0));
