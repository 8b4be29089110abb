import Joi from 'joi';
import { connectClient, emitWithAck, type ClientSocket } from '@portcullis/testing';
import type { SanitizeGuardOptions } from '../src';
import { serverWith } from './helpers';

const XSS = '<img src=x onerror=alert(1)>';

/**
 * Socket.io accepts a number as an event name (`42[1,…]` on the wire) and runs the listener
 * registered as `'1'`. socket.io-client only emits string names, so the Socket.io packet
 * (`2[1,…]`: an EVENT) is written raw on the engine, which adds the `4` of an engine.io
 * message. An ack on a following packet proves the server has handled it (packets of
 * one socket are dispatched in order).
 */
async function sendRaw(client: ClientSocket, packet: string): Promise<void> {
  client.io.engine.write(packet);
  await emitWithAck(client, 'sync');
}

async function serverFor(options: SanitizeGuardOptions) {
  const { server, received } = await serverWith(options, ['1', '2', 'sync']);
  const client = await connectClient(server.url);
  return { client, received };
}

describe('sanitizeGuard: number event names', () => {
  it('gives a number-named event the fields of its string name, with otherEvents: false', async () => {
    const { client, received } = await serverFor({
      fields: { '1': ['message'] },
      otherEvents: false,
    });
    await sendRaw(client, `2[1,${JSON.stringify({ message: XSS, other: XSS })}]`);
    expect(received).toEqual([
      { event: '1', args: [{ message: '&lt;img src="x" onerror="alert(1)" /&gt;', other: XSS }] },
      { event: 'sync', args: [] },
    ]);
  });

  it('gives a number-named event the plan of its string name, not the every-string default', async () => {
    const { client, received } = await serverFor({
      schemas: { '2': Joi.object({ formula: Joi.string() }) },
    });
    await sendRaw(client, `2[2,${JSON.stringify({ formula: 'a < b & c' })}]`);
    expect(received[0]).toEqual({ event: '2', args: [{ formula: 'a < b & c' }] });
  });

  it('refuses a number-named event the way its string name is refused', async () => {
    const { client, received } = await serverFor({
      fields: { '1': ['message'] },
      otherEvents: false,
    });
    await sendRaw(client, `2[1,${JSON.stringify({ message: [XSS] })}]`);
    expect(received).toEqual([{ event: 'sync', args: [] }]);
  });
});
