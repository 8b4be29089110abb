import Joi from 'joi';
import { connectClient, emitWithAck, waitFor } from '@portcullis/testing';
import { validateGuard } from '../src';
import { sendRaw, serverWith } from './helpers';

const schemas = { '1': Joi.object({ amount: Joi.number().integer().min(1).max(100) }) };

describe('validateGuard: event names sent as numbers', () => {
  it("checks the event 1 against the schema of '1', under unknownEvents: 'allow'", async () => {
    const { server, received } = await serverWith(schemas, ['1'], { unknownEvents: 'allow' });
    const client = await connectClient(server.url);
    // socket.io-client never sends a number as event name; the wire allows it, and
    // Socket.io runs the listener registered as '1'.
    const refusal = waitFor(client, 'portcullis:error');
    sendRaw(client, '2[1,{"amount":-5000,"isAdmin":true}]');
    expect((await refusal)[0]).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'amount', type: 'number.min' }],
    });
    // A valid one gets the validated value: converted, unknown keys stripped.
    sendRaw(client, '2[1,{"amount":"7","isAdmin":true}]');
    await emitWithAck(client, 'sync');
    expect(received).toEqual([{ event: '1', args: [{ amount: 7 }] }]);
  });

  it('refuses an event name that is neither a string nor a number, whatever unknownEvents says', () => {
    // Only a custom parser can hand one over; an array would still reach a listener.
    const guard = validateGuard(schemas, { unknownEvents: 'allow' });
    const verdict = guard.check({} as Parameters<typeof guard.check>[0], [['1'], {}] as never);
    expect(verdict).toMatchObject({
      code: 'VALIDATION_FAILED',
      data: { details: [{ type: 'event.unknown' }] },
    });
  });
});
