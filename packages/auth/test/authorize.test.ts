import { GuardError, usePacketGuards, type PortcullisContext } from '@portcullis/core';
import {
  connectClient,
  emitWithAck,
  expectSilence,
  startServer,
  waitFor,
  type ClientSocket,
} from '@portcullis/testing';
import { authGuard, authorize, type AuthorizeOptions, type AuthorizeRules } from '../src';
import { SECRET, sign } from './helpers';

// '1' is where Socket.io dispatches an event sent with the number 1 as its name.
const EVENTS = ['admin:broadcast', 'room:delete', 'chat:send', 'crash', 'closed', 'no:rule', '1'];

async function serve(rules: AuthorizeRules, options?: AuthorizeOptions) {
  const handled: string[] = [];
  const server = await startServer({
    setup(io) {
      io.use(authGuard({ algorithms: ['HS256'], secret: SECRET, optional: true }));
      usePacketGuards(io, authorize(rules, options));
      io.on('connection', (socket) => {
        for (const event of EVENTS) {
          socket.on(event, (...args: unknown[]) => {
            handled.push(event);
            if (event === 'admin:broadcast') socket.broadcast.emit('announcement', args[0]);
            const ack = args[args.length - 1];
            if (typeof ack === 'function') ack({ ok: true });
          });
        }
      });
    },
  });
  return { url: server.url, handled };
}

async function as(url: string, roles: string[] | null): Promise<ClientSocket> {
  if (roles === null) return connectClient(url);
  return connectClient(url, {
    auth: { token: await sign({ sub: roles.join('+') || 'plain', roles }) },
  });
}

const FORBIDDEN = {
  error: { code: 'FORBIDDEN', message: new GuardError('FORBIDDEN').message, retryable: false },
};

describe('authorize', () => {
  it('refuses admin:broadcast from a non-admin (handler never runs) and delivers it from an admin', async () => {
    const { url, handled } = await serve(
      { 'admin:broadcast': { roles: ['admin'] } },
      { unknown: 'allow' },
    );
    const admin = await as(url, ['admin']);
    const user = await as(url, ['user']);
    const anonymous = await as(url, null);
    const listener = await as(url, []);

    const silent = expectSilence(listener, 'announcement', 500);
    expect(await emitWithAck(user, 'admin:broadcast', 'from user')).toEqual(FORBIDDEN);
    expect(await emitWithAck(anonymous, 'admin:broadcast', 'from anonymous')).toEqual(FORBIDDEN);
    const refusal = waitFor(user, 'portcullis:error');
    user.emit('admin:broadcast', 'no ack');
    expect((await refusal)[0]).toMatchObject({ code: 'FORBIDDEN', event: 'admin:broadcast' });
    await silent;
    expect(handled).toEqual([]);

    const announced = waitFor(listener, 'announcement');
    expect(await emitWithAck(admin, 'admin:broadcast', 'hello all')).toEqual({ ok: true });
    expect(await announced).toEqual(['hello all']);
    expect(handled).toEqual(['admin:broadcast']);
  });

  it('runs predicates, sync and async, on the context and the arguments (without the ack)', async () => {
    const seenArgs: unknown[][] = [];
    const { url, handled } = await serve({
      'room:delete': async (ctx: Readonly<PortcullisContext>, args) => {
        seenArgs.push([...args]);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return ctx.user !== undefined && args[0] === `room-of-${ctx.user.id}`;
      },
      'chat:send': (ctx) => ctx.user !== undefined,
      crash: (_ctx, args) => (args[0] as { deep: { value: boolean } }).deep.value,
      closed: false,
    });
    const bob = await as(url, ['bob']);
    const anonymous = await as(url, null);
    expect(await emitWithAck(bob, 'room:delete', 'room-of-alice')).toEqual(FORBIDDEN);
    expect(await emitWithAck(bob, 'room:delete', 'room-of-bob')).toEqual({ ok: true });
    expect(await emitWithAck(anonymous, 'chat:send', 'hi')).toEqual(FORBIDDEN);
    expect(await emitWithAck(bob, 'chat:send', 'hi')).toEqual({ ok: true });
    // A predicate that throws on a hostile payload refuses; it does not crash anything.
    expect(await emitWithAck(bob, 'crash', null)).toEqual(FORBIDDEN);
    expect(await emitWithAck(bob, 'closed')).toEqual(FORBIDDEN);
    expect(seenArgs).toEqual([['room-of-alice'], ['room-of-bob']]);
    expect(handled).toEqual(['room:delete', 'chat:send']);
  });

  it("denies events without a rule by default, warning once; 'allow' lets them through", async () => {
    // Observes the warning without replacing it.
    const emitWarning = jest.spyOn(process, 'emitWarning');
    try {
      const closed = await serve({ 'chat:send': true });
      const client = await as(closed.url, ['admin']);
      expect(await emitWithAck(client, 'chat:send')).toEqual({ ok: true });
      expect(await emitWithAck(client, 'no:rule')).toEqual(FORBIDDEN);
      expect(await emitWithAck(client, 'constructor')).toEqual(FORBIDDEN);
      expect(await emitWithAck(client, '__proto__')).toEqual(FORBIDDEN);
      expect(closed.handled).toEqual(['chat:send']);
      const warnings = emitWarning.mock.calls.filter(
        ([, options]) => (options as { code?: string }).code === 'PORTCULLIS_AUTHORIZE_NO_RULE',
      );
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0]?.[0])).toContain('"no:rule"');
    } finally {
      emitWarning.mockRestore();
    }
    const open = await serve({ 'admin:broadcast': { roles: ['admin'] } }, { unknown: 'allow' });
    const client = await as(open.url, []);
    expect(await emitWithAck(client, 'no:rule')).toEqual({ ok: true });
    expect(open.handled).toEqual(['no:rule']);
  });

  it("judges an event sent as the number 1 by the rule of '1'", async () => {
    const { url, handled } = await serve({ '1': { roles: ['admin'] } }, { unknown: 'allow' });
    const user = await as(url, ['user']);
    const admin = await as(url, ['admin']);
    // socket.io-client never sends a number as event name; the wire allows it, and
    // Socket.io runs the listener registered as '1'.
    const refusal = waitFor(user, 'portcullis:error');
    user.io.engine.write('2[1,"from user"]');
    expect((await refusal)[0]).toMatchObject({ code: 'FORBIDDEN' });
    expect(await emitWithAck(user, 'no:rule')).toEqual({ ok: true });
    expect(handled).toEqual(['no:rule']);
    admin.io.engine.write('2[1,"from admin"]');
    expect(await emitWithAck(admin, 'no:rule')).toEqual({ ok: true });
    expect(handled).toEqual(['no:rule', '1', 'no:rule']);
  });

  it('refuses an event name that is neither a string nor a number, whatever `unknown` says', () => {
    // Only a custom parser can hand one over; an array would still reach a listener
    // (['admin:broadcast'] runs 'admin:broadcast').
    const guard = authorize({ 'admin:broadcast': { roles: ['admin'] } }, { unknown: 'allow' });
    const socket = {} as Parameters<typeof guard.check>[0];
    const verdict = guard.check(socket, [['admin:broadcast']] as never);
    expect(verdict).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('checks its rules at set-up', () => {
    expect(() => authorize({ x: { roles: [] } })).toThrow(/rules\.x\.roles: .*at least 1 entries/);
    expect(() => authorize({ x: { roles: [''] } })).toThrow(/rules\.x\.roles\[0\]/);
    expect(() => authorize({ x: 'admin' as never })).toThrow(/rules\.x: must be true or false/);
    expect(() => authorize({}, { unknown: 'maybe' as never })).toThrow(
      /authorize: unknown: must be "deny" or "allow"/,
    );
    expect(() => authorize(null as never)).toThrow(/authorize: rules: must be an object/);
  });
});
