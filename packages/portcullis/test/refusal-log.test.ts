import { SecurityEventBus } from '@portcullis/core';
import { connectClient, emitWithAck, expectConnectError } from '@portcullis/testing';
import { ORIGIN, honest, presetServer } from './helpers';

const noToken = { extraHeaders: { origin: ORIGIN } };
const TOKEN_LIKE = 'planted-payload-secret';

describe('portcullis(): the refusal log while nothing listens', () => {
  it('prints one line per kind of refusal, then stays quiet for that kind', async () => {
    const lines: string[] = [];
    const { server } = await presetServer({
      logRefusals: (line) => lines.push(line),
      bus: new SecurityEventBus(),
      rateLimit: false,
      sizeLimit: { maxBytes: 1024 },
    });
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await expectConnectError(server.url, noToken)).data?.code).toBe('AUTH_REQUIRED');
    }
    const client = await connectClient(server.url, await honest());
    const big = { text: `${TOKEN_LIKE}${'x'.repeat(2000)}` };
    expect(await emitWithAck(client, 'chat:send', big)).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE' },
    });
    await emitWithAck(client, 'chat:send', big); // the same kind again: no new line
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[portcullis\] refused a handshake: AUTH_REQUIRED by auth, from /);
    expect(lines[1]).toMatch(
      /^\[portcullis\] refused a packet "chat:send": PAYLOAD_TOO_LARGE by size-limit, from /,
    );
    // Never the payload.
    expect(lines.join('\n')).not.toContain(TOKEN_LIKE);
  });

  it('is silent once an audit sink listens to the bus', async () => {
    const lines: string[] = [];
    const bus = new SecurityEventBus();
    const heard: string[] = [];
    bus.on((event) => {
      heard.push(event.type);
    });
    const { server } = await presetServer({ logRefusals: (line) => lines.push(line), bus });
    await expectConnectError(server.url, noToken);
    expect(heard).toContain('handshake_refused');
    expect(lines).toEqual([]);
  });

  it('is off when asked', async () => {
    const bus = new SecurityEventBus();
    await presetServer({ logRefusals: false, bus });
    // Nothing of the preset listens: the guards make no events at all.
    expect(bus.listenerCount).toBe(0);
  });
});
