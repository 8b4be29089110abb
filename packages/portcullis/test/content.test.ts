import { randomUUID } from 'node:crypto';
import Joi from 'joi';
import type { Server } from 'socket.io';
import { connectClient, emitWithAck } from '@portcullis/testing';
import { honest, presetServer } from './helpers';

function vote(io: Server, handled: unknown[]): void {
  io.on('connection', (socket) => {
    socket.on('vote:cast', (ballot: unknown, ack?: (reply: unknown) => void) => {
      handled.push(ballot);
      ack?.({ ok: true });
    });
    socket.on('chat:send', (_message: unknown, ack?: (reply: unknown) => void) =>
      ack?.({ ok: true }),
    );
  });
}

describe('the preset with content rules and replay protection', () => {
  it('refuses a duplicate message and a replayed vote; a refused vote does not burn its id', async () => {
    const handled: unknown[] = [];
    const { server, guards } = await presetServer(
      {
        content: { fields: { 'chat:send': ['text'] }, rules: { duplicates: { max: 1 } } },
        replay: { events: { 'vote:cast': true } },
        validate: {
          schemas: {
            'vote:cast': Joi.object({
              choice: Joi.string().valid('a', 'b').required(),
              messageId: Joi.string(),
              sentAt: Joi.number(),
            }),
            'chat:send': Joi.object({ text: Joi.string() }),
          },
        },
      },
      (io) => vote(io, handled),
    );
    const client = await connectClient(server.url, await honest('vera'));
    expect(await emitWithAck(client, 'chat:send', { text: 'same' })).toEqual({ ok: true });
    expect(await emitWithAck(client, 'chat:send', { text: 'SAME' })).toMatchObject({
      error: { code: 'CONTENT_REJECTED', info: { reason: 'duplicate' } },
    });
    const ballot = { choice: 'c', messageId: randomUUID(), sentAt: Date.now() };
    // Refused by validation first: the id stays unused, so the corrected vote goes through.
    expect(await emitWithAck(client, 'vote:cast', ballot)).toMatchObject({
      error: { code: 'VALIDATION_FAILED' },
    });
    const fixed = { ...ballot, choice: 'a' };
    expect(await emitWithAck(client, 'vote:cast', fixed)).toEqual({ ok: true });
    expect(await emitWithAck(client, 'vote:cast', fixed)).toMatchObject({
      error: { code: 'REPLAYED', info: { duplicate: true } },
    });
    expect(handled).toEqual([fixed]);
    const order = guards.order.packet;
    expect(order.indexOf('content')).toBeLessThan(order.indexOf('replay'));
    expect(order.indexOf('validate')).toBeLessThan(order.indexOf('replay'));
  });
});
