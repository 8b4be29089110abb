import { SecurityEventBus, type SecurityEvent } from '@portcullis/core';
import { connectClient, emitWithAck } from '@portcullis/testing';
import { contentGuard, normalizeText, unsafePatternReason, type ContentRules } from '../src';
import { guardedServer, reasonOf } from './helpers';

const ONLY = (rules: ContentRules): ContentRules => ({
  duplicates: false,
  links: false,
  mentions: false,
  repetition: false,
  caps: false,
  ...rules,
});

async function chatWith(rules: ContentRules, bus?: SecurityEventBus) {
  const server = await guardedServer(
    [contentGuard({ fields: { 'chat:send': ['text'], 'note:add': [0] }, rules })],
    bus === undefined ? {} : { bus },
  );
  const client = await connectClient(server.url, { auth: { user: 'alice' } });
  const send = async (text: unknown) =>
    reasonOf(await emitWithAck(client, 'chat:send', { text })) ?? 'ok';
  return { server, client, send };
}

describe('content rules', () => {
  it('refuses the same message past the limit, however it is dressed up', async () => {
    const { send, server } = await chatWith(ONLY({ duplicates: { max: 2, withinMs: 60_000 } }));
    expect(await send('Buy now')).toBe('ok');
    expect(await send('buy   NOW ')).toBe('ok');
    // Zero-width joiners, full-width letters: the same message.
    expect(await send('b\u200Du\u200By n\uFF4F\uFF57')).toBe('CONTENT_REJECTED:duplicate');
    expect(await send('Buy now!')).toBe('ok'); // another message
    expect(server.handled).toHaveLength(3);
  });

  it('counts duplicates per user: another user may say the same', async () => {
    const { send, server } = await chatWith(ONLY({ duplicates: { max: 1 } }));
    expect(await send('hello')).toBe('ok');
    expect(await send('hello')).toBe('CONTENT_REJECTED:duplicate');
    const bob = await connectClient(server.url, { auth: { user: 'bob' } });
    expect(await emitWithAck(bob, 'chat:send', { text: 'hello' })).toEqual({ ok: true });
  });

  it('limits links (allowing listed hosts), mentions, repetition and capitals', async () => {
    const { send } = await chatWith(
      ONLY({
        links: { max: 1, allowHosts: ['example.com'] },
        mentions: { max: 2 },
        repetition: { maxRun: 5 },
        caps: { maxShare: 0.7, minLetters: 10 },
      }),
    );
    expect(await send('see https://a.test/x and https://docs.example.com/y')).toBe('ok');
    expect(await send('see https://a.test and www.b.test')).toBe('CONTENT_REJECTED:links');
    expect(await send('HTTPS://\uFF41.test and https://b.test')).toBe('CONTENT_REJECTED:links');
    expect(await send('@ann @bob hi')).toBe('ok');
    expect(await send('@ann @bob @cy hi')).toBe('CONTENT_REJECTED:mentions');
    expect(await send('noooooo')).toBe('CONTENT_REJECTED:repetition');
    expect(await send('noooo')).toBe('ok');
    expect(await send('WHY IS NOBODY ANSWERING me')).toBe('CONTENT_REJECTED:caps');
    expect(await send('OK then')).toBe('ok'); // too few letters to judge
  });

  it('blocks words and phrases on normalised text, whole words only', async () => {
    const { send } = await chatWith(
      ONLY({ blocklist: { entries: ['free money', 'scam', /\bcrypto[- ]?giveaway\b/] } }),
    );
    expect(await send('Get FREE\u200B   Money today')).toBe('CONTENT_REJECTED:blocked');
    expect(await send('\uFF53\uFF43\uFF41\uFF4D')).toBe('CONTENT_REJECTED:blocked');
    expect(await send('scampi for dinner')).toBe('ok');
    expect(await send('join the crypto-giveaway')).toBe('CONTENT_REJECTED:blocked');
    expect(await send('free of money worries')).toBe('ok');
  });

  it('refuses at set-up RegExps that could backtrack catastrophically', () => {
    for (const pattern of [/(a+)+$/, /(a|aa)*b/, /(\w+\s?)*$/, /(x+x+)+y/, /(.*)\1/]) {
      expect(unsafePatternReason(pattern)).toBeDefined();
      expect(() =>
        contentGuard({ fields: { x: ['t'] }, rules: { blocklist: { entries: [pattern] } } }),
      ).toThrow(/refused/);
    }
    for (const pattern of [/\bfree\b/, /[a-z]+@[a-z]+\.com/, /(?:buy|sell) now/, /(ab)+/]) {
      expect(unsafePatternReason(pattern)).toBeUndefined();
    }
  });

  it('flags instead of refusing when told, and records it', async () => {
    const bus = new SecurityEventBus();
    const events: SecurityEvent[] = [];
    bus.on((event) => {
      if (event.type === 'suspicious') events.push(event);
    });
    const { send, server } = await chatWith(ONLY({ links: { max: 0, action: 'flag' } }), bus);
    expect(await send('look https://a.test')).toBe('ok');
    expect(server.handled).toEqual([{ text: 'look https://a.test' }]);
    expect(events).toMatchObject([
      {
        code: 'CONTENT_REJECTED',
        guard: 'content',
        event: 'chat:send',
        detail: { reason: 'links', action: 'flag' },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('a.test');
  });

  it('runs your own check, sync or async, within its deadline', async () => {
    const { send } = await chatWith(
      ONLY({
        custom: {
          rejects: async (text) => {
            if (text === 'slow') await new Promise((resolve) => setTimeout(resolve, 500));
            return text.includes('forbidden');
          },
          timeoutMs: 100,
        },
      }),
    );
    expect(await send('fine')).toBe('ok');
    expect(await send('forbidden words')).toBe('CONTENT_REJECTED:custom');
    expect(await send('slow')).toBe('INTERNAL:');
    const lenient = await chatWith(
      ONLY({ custom: { rejects: () => Promise.reject(new Error('down')), onError: 'allow' } }),
    );
    expect(await lenient.send('anything')).toBe('ok');
  });

  it('judges string arguments by index and leaves other events and types alone', async () => {
    const { client, send } = await chatWith(ONLY({ repetition: { maxRun: 3 } }));
    expect(reasonOf(await emitWithAck(client, 'note:add', 'zzzzzz'))).toBe(
      'CONTENT_REJECTED:repetition',
    );
    expect(await emitWithAck(client, 'vote:cast', { text: 'zzzzzz' })).toEqual({ ok: true });
    expect(await send(42)).toBe('ok');
  });

  it('says how to fix its options', () => {
    expect(() =>
      contentGuard({ fields: { x: ['t'] }, rules: { link: { max: 1 } } } as never),
    ).toThrow('contentGuard: rules.link: unknown option, did you mean rules.links?');
    expect(() => contentGuard({} as never)).toThrow(/fields: is required/);
    expect(normalizeText('  Ｈｅｌｌｏ\u200B  World ')).toBe('hello world');
  });
});
