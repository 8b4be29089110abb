import { createServer } from 'node:net';
import { createClient, expectSilence, waitFor } from '@portcullis/testing';
import { guardClient, readGuardError, type GuardErrorInfo, type ReconnectAdvice } from '../src';
import { guardedServer, token } from './helpers';

/**
 * The first `connect_error` of a client that sends no Origin header (a Node client), read
 * in the listener as an app does.
 */
async function refusalWithoutOrigin(
  url: string,
  transports: string[],
): Promise<{ error: unknown; info: GuardErrorInfo | undefined }> {
  const socket = createClient(url, {
    transports,
    reconnection: false,
    auth: { token: await token('nodejs') },
  });
  const seen = new Promise<{ error: unknown; info: GuardErrorInfo | undefined }>((resolve) => {
    // In the listener itself: socket.io-client aborts the request right after.
    socket.once('connect_error', (error: unknown) =>
      resolve({ error, info: readGuardError(error) }),
    );
  });
  const outcome = await seen;
  socket.close();
  return outcome;
}

describe('an origin refusal (HTTP 403 before the handshake) read by the client', () => {
  it.each([['polling'], ['websocket']])(
    'over %s: ORIGIN_REJECTED, not retryable, the message from the body when readable',
    async (transport) => {
      const { server } = await guardedServer();
      const { info } = await refusalWithoutOrigin(server.url, [transport]);
      expect(info).toMatchObject({ code: 'ORIGIN_REJECTED', retryable: false });
      // Polling exposes the 403's JSON body; ws in Node gives only the status.
      expect(info?.message).toBe(
        transport === 'polling'
          ? 'This origin is not allowed to connect.'
          : 'HTTP 403 before the handshake.',
      );
    },
  );

  it('guardClient hears it as a handshake refusal and stops', async () => {
    const { server, events } = await guardedServer();
    const socket = createClient(server.url, {
      transports: ['polling'],
      autoConnect: false,
      auth: { token: await token('nodejs') },
    });
    const seen: { info: GuardErrorInfo; advice: ReconnectAdvice }[] = [];
    guardClient(socket, { onHandshakeRefusal: (info, advice) => seen.push({ info, advice }) });
    socket.connect();
    await waitFor(socket, 'connect_error');
    await expectSilence(socket, 'connect', 1_000);
    expect(seen.map(({ info, advice }) => [info.code, advice.action])).toEqual([
      ['ORIGIN_REJECTED', 'stop'],
    ]);
    expect(events.filter((event) => event.type === 'handshake_refused').length).toBeLessThan(3);
  });

  it('leaves other transport errors alone (nothing listening)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const { error, info } = await refusalWithoutOrigin(`http://127.0.0.1:${closed}`, ['polling']);
    expect((error as { type?: string }).type).toBe('TransportError');
    expect(info).toBeUndefined();
  });
});
