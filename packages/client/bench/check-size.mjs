// Cost of the client's size pre-check and refusal reader, per call, on this machine.
// Run after a build: node packages/client/bench/check-size.mjs
import { checkMessage, readGuardError } from '../dist/index.js';

const limits = {
  maxBytes: 65_536,
  maxDepth: 32,
  maxKeys: 1_000,
  maxArrayLength: 10_000,
  binary: false,
};

function bench(name, iterations, run) {
  for (let index = 0; index < Math.min(1_000, iterations); index++) run();
  const start = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) run();
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  console.log(
    `${name.padEnd(44)} ${ns >= 1_000 ? `${(ns / 1_000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`}`,
  );
}

const chat = { roomId: 'general', text: 'Hello, how is everyone doing today? 👋 Déjà vu.' };
const large = { roomId: 'general', text: 'é'.repeat(30_000) };
const nested = {
  a: [{ b: { c: [1, 2, { d: 'x'.repeat(50) }] } }],
  meta: { tags: ['a', 'b', 'c'] },
};
const binary = { name: 'f.bin', data: new Uint8Array(32_000) };
const ack = JSON.parse(
  '{"error":{"code":"RATE_LIMITED","message":"Too many requests","retryable":true,"retryAfterMs":900,"info":{"limit":"perSocket"}}}',
);

bench('checkMessage: 60-char chat message', 200_000, () =>
  checkMessage(limits, 'chat:send', [chat]),
);
bench('checkMessage: nested object (3 levels)', 200_000, () =>
  checkMessage(limits, 'chat:send', [nested]),
);
bench('checkMessage: 30,000 "é" (60 KB UTF-8)', 2_000, () =>
  checkMessage(limits, 'chat:send', [large]),
);
bench('checkMessage: 32 KB binary attachment', 200_000, () =>
  checkMessage({ ...limits, binary: true, maxAttachments: 1 }, 'upload', [binary]),
);
bench('readGuardError: ack reply with an error', 1_000_000, () => readGuardError(ack));
bench('readGuardError: ordinary reply', 1_000_000, () => readGuardError({ ok: true }));
