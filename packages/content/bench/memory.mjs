// What the content and replay guards keep in memory, measured: heap after GC with N
// senders of the duplicate tracker (16 fingerprints each) and N ids in the memory
// replay store. Run with `node --expose-gc bench/memory.mjs [senders]` after a build.
import { contentGuard, memoryReplayStore } from '../dist/index.js';

const count = Number(process.argv[2] ?? 20_000);
const heap = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};

// The tracker is internal: drive it through the guard's check with minimal sockets.
const guard = contentGuard({
  fields: { m: ['text'] },
  rules: { links: false, mentions: false, repetition: false, caps: false },
  maxTrackedSenders: count * 2,
});
const socketFor = (index) => ({
  id: String(index),
  data: {
    portcullis: {
      ip: '127.0.0.1',
      connectedAt: 0,
      lastActivityAt: 0,
      user: { id: `user-${index}`, roles: [], claims: {} },
    },
  },
  nsp: { server: {} },
  handshake: { address: '127.0.0.1', headers: {} },
});
const before = heap();
for (let index = 0; index < count; index++) {
  const socket = socketFor(index);
  for (let message = 0; message < 16; message++)
    guard.check(socket, ['m', { text: `message ${message}` }]);
}
const afterTracker = heap();
const store = memoryReplayStore();
const beforeStore = heap();
const now = Date.now();
for (let index = 0; index < count; index++)
  store.claim(`{user:user-${index}}:vote:${'x'.repeat(28)}${index}`, 300_000, now);
const afterStore = heap();
console.log(
  JSON.stringify({
    senders: guard.trackedSenders,
    bytesPerSender: Math.round((afterTracker - before) / count),
    replayIds: store.size,
    bytesPerReplayId: Math.round((afterStore - beforeStore) / count),
  }),
);
