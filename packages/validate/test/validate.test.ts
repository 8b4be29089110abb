import Joi from 'joi';
import { connectClient, emitWithAck, waitFor } from '@portcullis/testing';
import { serverWith } from './helpers';

const chatSchemas = {
  'chat:send': Joi.object({
    roomId: Joi.string().pattern(/^[\w-]{1,64}$/),
    message: Joi.string().min(1).max(1000),
    priority: Joi.number().integer().min(0).max(5),
  }),
  'cursor:move': [Joi.number(), Joi.number()],
  'settings:list': [Joi.object({ page: Joi.number() }).default({ page: 1 })],
};
const EVENTS = ['chat:send', 'cursor:move', 'settings:list', 'admin:wipe'];

interface Refusal {
  error: { code: string; message: string; details?: { path: string; type: string }[] };
}

describe('validateGuard: payloads that match the schema', () => {
  it('hands the handler the validated value: conversions applied, unknown keys stripped', async () => {
    const { server, received } = await serverWith(chatSchemas, EVENTS);
    const client = await connectClient(server.url);
    const reply = await emitWithAck(client, 'chat:send', {
      roomId: 'lobby',
      message: 'hello',
      priority: '3',
      isAdmin: true,
    });
    const expected = { roomId: 'lobby', message: 'hello', priority: 3 };
    expect(reply).toEqual({ ok: true, args: [expected] });
    expect(received).toEqual([{ event: 'chat:send', args: [expected] }]);
  });

  it('checks each argument of a multi-argument event with its own schema and leaves the ack alone', async () => {
    const { server, received } = await serverWith(chatSchemas, EVENTS);
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'cursor:move', '10', 20)).toEqual({
      ok: true,
      args: [10, 20],
    });
    const refused = (await emitWithAck(client, 'cursor:move', 10, 'right')) as Refusal;
    expect(refused.error.details).toEqual([{ path: '[1]', type: 'number.base' }]);
    expect(received).toEqual([{ event: 'cursor:move', args: [10, 20] }]);
  });

  it('puts a schema default in place of a missing argument, before the ack', async () => {
    const { server, received } = await serverWith(chatSchemas, EVENTS);
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'settings:list')).toEqual({ ok: true, args: [{ page: 1 }] });
    expect(await emitWithAck(client, 'settings:list', { page: '2' })).toEqual({
      ok: true,
      args: [{ page: 2 }],
    });
    expect(received.map((entry) => entry.args)).toEqual([[{ page: 1 }], [{ page: 2 }]]);
  });
});

describe('validateGuard: refusals', () => {
  it('refuses a schema violation with VALIDATION_FAILED, a path and a type, never the input', async () => {
    const { server, received } = await serverWith(chatSchemas, EVENTS);
    const client = await connectClient(server.url);
    const marker = 'x'.repeat(1001) + '<secret-input-marker>';
    const reply = (await emitWithAck(client, 'chat:send', {
      roomId: 'lobby',
      message: marker,
    })) as Refusal;
    expect(reply.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      retryable: false,
      details: [{ path: 'message', type: 'string.max' }],
    });
    expect(JSON.stringify(reply)).not.toContain('secret-input-marker');
    expect(JSON.stringify(reply)).not.toContain('xxxxxxxx');
    expect(received).toEqual([]);
  });

  it('answers a refused packet without an ack on portcullis:error', async () => {
    const { server, received } = await serverWith(chatSchemas, EVENTS);
    const client = await connectClient(server.url);
    const error = waitFor(client, 'portcullis:error');
    client.emit('chat:send', { roomId: 'no spaces allowed', message: 'hi' });
    expect((await error)[0]).toMatchObject({
      code: 'VALIDATION_FAILED',
      event: 'chat:send',
      details: [{ path: 'roomId', type: 'string.pattern.base' }],
    });
    expect(received).toEqual([]);
  });

  it.each([
    ['a number where a string is expected', { message: 42 }, 'message', 'string.base'],
    ['an array where an object is expected', [{ message: 'hi' }], '', 'object.base'],
    ['null where an object is expected', null, '', 'object.base'],
    ['binary where a string is expected', { message: Buffer.from('hi') }, 'message', 'string.base'],
    ['binary where an object is expected', Buffer.from('{"message":"hi"}'), '', 'object.base'],
    [
      'a nested object where a string is expected',
      { message: { toString: 'x' } },
      'message',
      'string.base',
    ],
  ])('refuses %s', async (_name, payload, path, type) => {
    const { server, received } = await serverWith(chatSchemas, EVENTS);
    const client = await connectClient(server.url);
    const reply = (await emitWithAck(client, 'chat:send', payload)) as Refusal;
    expect(reply.error.code).toBe('VALIDATION_FAILED');
    expect(reply.error.details).toEqual([{ path, type }]);
    expect(received).toEqual([]);
  });

  it('refuses a missing argument, since a schema that says nothing makes it required', async () => {
    const { server, received } = await serverWith(chatSchemas, EVENTS);
    const client = await connectClient(server.url);
    const reply = (await emitWithAck(client, 'chat:send')) as Refusal;
    expect(reply.error.details).toEqual([{ path: '', type: 'any.required' }]);
    const positional = (await emitWithAck(client, 'cursor:move', 1)) as Refusal;
    expect(positional.error.details).toEqual([{ path: '[1]', type: 'any.required' }]);
    expect(received).toEqual([]);
  });

  it('refuses more arguments than the event has schemas', async () => {
    const { server, received } = await serverWith(chatSchemas, EVENTS);
    const client = await connectClient(server.url);
    const single = (await emitWithAck(client, 'chat:send', { message: 'hi' }, 'extra')) as Refusal;
    expect(single.error.details).toEqual([{ path: '[1]', type: 'arguments.tooMany' }]);
    const positional = (await emitWithAck(client, 'cursor:move', 1, 2, 3)) as Refusal;
    expect(positional.error.details).toEqual([{ path: '[2]', type: 'arguments.tooMany' }]);
    expect(received).toEqual([]);
  });

  it('refuses events without a schema by default, including names found on Object.prototype', async () => {
    const { server, received } = await serverWith(chatSchemas, [
      ...EVENTS,
      'constructor',
      'hasOwnProperty',
      '__proto__',
    ]);
    const client = await connectClient(server.url);
    for (const event of ['admin:wipe', 'constructor', 'hasOwnProperty', '__proto__']) {
      const reply = (await emitWithAck(client, event, {})) as Refusal;
      expect(reply.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path: '', type: 'event.unknown' }],
      });
    }
    expect(received).toEqual([]);
  });

  it("lets events without a schema through with unknownEvents: 'allow'", async () => {
    const { server, received } = await serverWith(chatSchemas, EVENTS, { unknownEvents: 'allow' });
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'admin:wipe', { anything: 1 })).toEqual({
      ok: true,
      args: [{ anything: 1 }],
    });
    const refused = (await emitWithAck(client, 'chat:send', { message: 7 })) as Refusal;
    expect(refused.error.code).toBe('VALIDATION_FAILED');
    expect(received).toEqual([{ event: 'admin:wipe', args: [{ anything: 1 }] }]);
  });

  it('lists several problems with abortEarly: false', async () => {
    const { server } = await serverWith(chatSchemas, EVENTS, { abortEarly: false });
    const client = await connectClient(server.url);
    const reply = (await emitWithAck(client, 'chat:send', { roomId: '!', message: '' })) as Refusal;
    expect(reply.error.details).toEqual([
      { path: 'roomId', type: 'string.pattern.base' },
      { path: 'message', type: 'string.empty' },
    ]);
  });

  it('keeps unknown keys as errors with stripUnknown: false and types strict with convert: false', async () => {
    const { server } = await serverWith(chatSchemas, EVENTS, {
      stripUnknown: false,
      convert: false,
    });
    const client = await connectClient(server.url);
    const unknownKey = (await emitWithAck(client, 'chat:send', {
      message: 'hi',
      isAdmin: true,
    })) as Refusal;
    expect(unknownKey.error.details).toEqual([{ path: 'isAdmin', type: 'object.unknown' }]);
    const notConverted = (await emitWithAck(client, 'cursor:move', '1', 2)) as Refusal;
    expect(notConverted.error.details).toEqual([{ path: '[0]', type: 'number.base' }]);
  });

  it("keeps a schema's own preferences over the guard's options", async () => {
    const schemas = {
      'loose:send': Joi.object({ n: Joi.number() }).prefs({
        stripUnknown: false,
        allowUnknown: true,
      }),
      'strict:send': Joi.object({ n: Joi.number() }).prefs({ convert: false }),
    };
    const { server } = await serverWith(schemas, ['loose:send', 'strict:send']);
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'loose:send', { n: '1', extra: true })).toEqual({
      ok: true,
      args: [{ n: 1, extra: true }],
    });
    const strict = (await emitWithAck(client, 'strict:send', { n: '1' })) as Refusal;
    expect(strict.error.details).toEqual([{ path: 'n', type: 'number.base' }]);
  });

  it('keeps serving every client after refusals, and the refused client too', async () => {
    const { server, received } = await serverWith(chatSchemas, EVENTS);
    const attacker = await connectClient(server.url);
    const honest = await connectClient(server.url);
    const attacks = [
      emitWithAck(attacker, 'chat:send', { message: 1 }),
      emitWithAck(attacker, 'admin:wipe'),
      emitWithAck(attacker, 'cursor:move', {}, []),
      emitWithAck(attacker, 'chat:send', 'x'.repeat(10_000)),
    ];
    for (const reply of await Promise.all(attacks)) {
      expect((reply as Refusal).error.code).toBe('VALIDATION_FAILED');
    }
    expect(await emitWithAck(honest, 'chat:send', { message: 'hi' })).toEqual({
      ok: true,
      args: [{ message: 'hi' }],
    });
    expect(await emitWithAck(attacker, 'chat:send', { message: 'sorry' })).toEqual({
      ok: true,
      args: [{ message: 'sorry' }],
    });
    expect(received.map((entry) => entry.args[0])).toEqual([
      { message: 'hi' },
      { message: 'sorry' },
    ]);
  });
});
