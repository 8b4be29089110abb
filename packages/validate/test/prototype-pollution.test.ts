import Joi from 'joi';
import {
  DEFAULT_STRUCTURE_LIMITS,
  GuardError,
  StructureViolation,
  checkPayloadStructure,
  type PacketGuard,
} from '@portcullis/core';
import { connectClient, emitWithAck, waitFor, type ClientSocket } from '@portcullis/testing';
import { sendRaw, serverWith } from './helpers';

/**
 * Prototype-pollution payloads as they travel: JSON text written on the wire, so
 * `__proto__` arrives as an own key (that is what `JSON.parse` makes of it), and binary
 * packets, where socket.io-parser's reconstruction turns that key into a real prototype.
 */
const profileSchemas = {
  'profile:update': Joi.object({
    name: Joi.string(),
    profile: Joi.object({ bio: Joi.string() }),
    items: Joi.array().items(Joi.object({ title: Joi.string() })),
    avatar: Joi.binary(),
  }),
  // Schemas that let unknown keys through: the shape check must not depend on the schema.
  'settings:merge': Joi.object().unknown(),
  'anything:goes': Joi.any(),
  'bare:object': Joi.object(),
};
const EVENTS = [...Object.keys(profileSchemas), 'not:declared'];

const SHAPES: readonly [name: string, json: string, path: string][] = [
  ['own __proto__ at the top', '{"name":"a","__proto__":{"isAdmin":true}}', '__proto__'],
  [
    '__proto__ in a nested object',
    '{"profile":{"__proto__":{"isAdmin":true}}}',
    'profile.__proto__',
  ],
  [
    '__proto__ in an array item',
    '{"items":[{"title":"t","__proto__":{"isAdmin":true}}]}',
    'items[0].__proto__',
  ],
  ['__proto__ holding __proto__', '{"__proto__":{"__proto__":{"isAdmin":true}}}', '__proto__'],
  ['__proto__ holding an array', '{"name":"a","__proto__":[{"isAdmin":true}]}', '__proto__'],
  ['constructor.prototype', '{"constructor":{"prototype":{"isAdmin":true}}}', 'constructor'],
  [
    'nested constructor.prototype',
    '{"profile":{"constructor":{"prototype":{"isAdmin":true}}}}',
    'profile.constructor',
  ],
  ['prototype key', '{"name":"a","prototype":{"isAdmin":true}}', 'prototype'],
  [
    'deep __proto__',
    `${'{"a":'.repeat(20)}{"__proto__":{"isAdmin":true}}${'}'.repeat(20)}`,
    `${'a.'.repeat(20)}__proto__`,
  ],
];

interface Refusal {
  code: string;
  info?: Record<string, unknown>;
  details: { path: string; type: string }[];
}

function prototypeSnapshot(): string[] {
  return [Object.prototype, Array.prototype, Function.prototype].flatMap((prototype) =>
    Object.getOwnPropertyNames(prototype),
  );
}

function expectPrototypesUntouched(before: readonly string[]): void {
  expect(prototypeSnapshot()).toEqual(before);
  expect(({} as { isAdmin?: unknown }).isAdmin).toBeUndefined();
  expect(([] as unknown as { isAdmin?: unknown }).isAdmin).toBeUndefined();
}

/** Sends a raw event without an ack and resolves with the refusal it earns. */
async function refusalOf(client: ClientSocket, event: string, json: string): Promise<Refusal> {
  const error = waitFor(client, 'portcullis:error');
  sendRaw(client, `2[${JSON.stringify(event)},${json}]`);
  return (await error)[0] as Refusal;
}

describe('validateGuard: prototype pollution', () => {
  it('control: without the guard, __proto__ arrives as an own key, in plain and binary packets', async () => {
    const { server, received } = await serverWith(undefined, EVENTS);
    const client = await connectClient(server.url);
    sendRaw(client, '2["profile:update",{"name":"a","__proto__":{"isAdmin":true}}]');
    sendRaw(
      client,
      '51-["profile:update",{"name":"a","__proto__":{"isAdmin":true},"avatar":{"_placeholder":true,"num":0}}]',
      [Buffer.from([1, 2, 3])],
    );
    await emitWithAck(client, 'sync');
    expect(received).toHaveLength(2);
    for (const entry of received) {
      const payload = entry.args[0] as Record<string, unknown>;
      expect(Object.prototype.hasOwnProperty.call(payload, '__proto__')).toBe(true);
      // One Object.assign in a handler and the attacker picks the target's prototype.
      const merged = Object.assign({}, payload) as { isAdmin?: unknown };
      expect(merged.isAdmin).toBe(true);
    }
  });

  describe.each(Object.keys(profileSchemas))('schema of %s', (event) => {
    it.each(SHAPES)('refuses %s', async (_name, json, path) => {
      const before = prototypeSnapshot();
      const { server, received } = await serverWith(profileSchemas, EVENTS);
      const client = await connectClient(server.url);
      const refusal = await refusalOf(client, event, json);
      expect(refusal).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path, type: 'object.prototypeKey' }],
      });
      expect(JSON.stringify(refusal)).not.toContain('isAdmin');
      await emitWithAck(client, 'sync');
      expect(received).toEqual([]);
      expectPrototypesUntouched(before);
    });
  });

  it("refuses the same shapes on events without a schema under unknownEvents: 'allow'", async () => {
    const before = prototypeSnapshot();
    const { server, received } = await serverWith(profileSchemas, EVENTS, {
      unknownEvents: 'allow',
    });
    const client = await connectClient(server.url);
    for (const [, json, path] of SHAPES) {
      const refusal = await refusalOf(client, 'not:declared', json);
      expect(refusal.details).toEqual([{ path, type: 'object.prototypeKey' }]);
    }
    expect(received).toEqual([]);
    expectPrototypesUntouched(before);
  });

  it('refuses the same shapes in binary packets, rebuilt by the parser around their attachments', async () => {
    const before = prototypeSnapshot();
    const { server, received } = await serverWith(profileSchemas, EVENTS);
    const client = await connectClient(server.url);
    for (const [json, path] of [
      [
        '{"name":"a","__proto__":{"isAdmin":true},"avatar":{"_placeholder":true,"num":0}}',
        '__proto__',
      ],
      [
        '{"avatar":{"_placeholder":true,"num":0},"profile":{"__proto__":{"isAdmin":true}}}',
        'profile.__proto__',
      ],
      [
        '{"avatar":{"_placeholder":true,"num":0},"constructor":{"prototype":{"isAdmin":true}}}',
        'constructor',
      ],
    ] as const) {
      const error = waitFor(client, 'portcullis:error');
      sendRaw(client, `51-["profile:update",${json}]`, [Buffer.from([0x89, 0x50])]);
      expect((await error)[0]).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path, type: 'object.prototypeKey' }],
      });
    }
    await emitWithAck(client, 'sync');
    expect(received).toEqual([]);
    expectPrototypesUntouched(before);
  });

  it('refuses binary that an object schema would accept and clone into a broken object', async () => {
    const { server, received } = await serverWith(profileSchemas, EVENTS);
    const client = await connectClient(server.url);
    const nested = (await emitWithAck(client, 'profile:update', {
      profile: Buffer.from('{"bio":"x"}'),
    })) as { error: Refusal };
    expect(nested.error.details).toEqual([{ path: 'profile', type: 'object.base' }]);
    for (const event of ['profile:update', 'settings:merge', 'bare:object']) {
      const top = (await emitWithAck(client, event, Buffer.from('{}'))) as { error: Refusal };
      expect(top.error.details).toEqual([{ path: '', type: 'object.base' }]);
    }
    expect(await emitWithAck(client, 'profile:update', { avatar: Buffer.from([1]) })).toMatchObject(
      {
        ok: true,
      },
    );
    expect(received).toHaveLength(1);
    expect(Buffer.isBuffer((received[0]?.args[0] as { avatar: unknown }).avatar)).toBe(true);
  });

  it('lets constructor and prototype keys reach the schema only with allowConstructorKeys', async () => {
    const schemas = {
      'class:rename': Joi.object({ constructor: Joi.string(), prototype: Joi.string() }),
    };
    const { server, received } = await serverWith(schemas, ['class:rename'], {
      allowConstructorKeys: true,
    });
    const client = await connectClient(server.url);
    const reply = await emitWithAck(client, 'class:rename', {
      constructor: 'Cat',
      prototype: 'Animal',
    });
    expect(reply).toEqual({ ok: true, args: [{ constructor: 'Cat', prototype: 'Animal' }] });
    // __proto__ stays refused whatever the option says.
    const refusal = await refusalOf(client, 'class:rename', '{"__proto__":{"isAdmin":true}}');
    expect(refusal.details).toEqual([{ path: '__proto__', type: 'object.prototypeKey' }]);
    expect(received).toHaveLength(1);
  });

  it('used alone, walks the payload once with core and refuses deeper than 32 before joi sees it', async () => {
    const { server, received } = await serverWith(profileSchemas, EVENTS);
    const client = await connectClient(server.url);
    const tooDeep = {
      code: 'PAYLOAD_TOO_LARGE',
      info: { limit: 'maxDepth', max: 32 },
    };
    const deeper = `${'{"a":'.repeat(33)}1${'}'.repeat(33)}`;
    expect(await refusalOf(client, 'anything:goes', deeper)).toMatchObject(tooDeep);
    // Far past the stack joi or any recursion could take: refused, the server unharmed.
    const bomb = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    expect(await refusalOf(client, 'anything:goes', bomb)).toMatchObject(tooDeep);
    const objects = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    expect(await refusalOf(client, 'settings:merge', objects)).toMatchObject(tooDeep);
    const allowed = `${'{"a":'.repeat(32)}1${'}'.repeat(32)}`;
    sendRaw(client, `2["anything:goes",${allowed}]`);
    await emitWithAck(client, 'sync');
    expect(received).toHaveLength(1);
  });

  it("behind an earlier structure walk (size-limit's), trusts its depth and still refuses the keys it let through", async () => {
    // Stands in for sizeLimitGuard({ maxDepth: 100, allowPrototypeKeys: true }): the
    // same core walk, run by a guard in front of validate.
    const structure: PacketGuard = {
      guardName: 'structure',
      check(_socket, packet) {
        const violation = checkPayloadStructure(packet, {
          ...DEFAULT_STRUCTURE_LIMITS,
          maxDepth: 100,
          allowPrototypeKeys: true,
        });
        return violation === StructureViolation.OK ? undefined : structureRefused;
      },
    };
    const structureRefused = new GuardError('PAYLOAD_TOO_LARGE');
    const { server, received } = await serverWith(profileSchemas, EVENTS, {}, [structure]);
    const client = await connectClient(server.url);
    // 40 levels: over validate's own fallback of 32, within the walk that ran first.
    const forty = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    sendRaw(client, `2["anything:goes",${forty}]`);
    await emitWithAck(client, 'sync');
    expect(received).toHaveLength(1);
    for (const [, json, path] of SHAPES) {
      const refusal = await refusalOf(client, 'settings:merge', json);
      expect(refusal).toMatchObject({ details: [{ path, type: 'object.prototypeKey' }] });
    }
    expect(received).toHaveLength(1);
  });
});
