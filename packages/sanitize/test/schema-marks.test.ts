import Joi from 'joi';
import { connectClient, emitWithAck } from '@portcullis/testing';
import { serverWith } from './helpers';

/** The same map an application gives `validateGuard`, with its HTML fields marked. */
const schemas = {
  'chat:send': Joi.object({
    roomId: Joi.string(),
    message: Joi.string().meta({ sanitize: 'basic' }),
    password: Joi.string(),
  }),
  'board:post': Joi.object({
    title: Joi.string().meta({ sanitize: true }),
    items: Joi.array().items(
      Joi.object({ body: Joi.string().meta({ sanitize: 'basic' }), raw: Joi.string() }),
    ),
    labels: Joi.object().pattern(/^/, Joi.string().meta({ sanitize: 'text' })),
    pair: Joi.array().ordered(Joi.string(), Joi.string().meta({ sanitize: 'text' })),
    either: Joi.alternatives().try(Joi.number(), Joi.string().meta({ sanitize: 'basic' })),
    quoted: Joi.object({ author: Joi.string(), lines: Joi.array().items(Joi.string()) }).meta({
      sanitize: 'text',
    }),
  }),
  'note:add': [Joi.string(), Joi.string().meta({ sanitize: 'basic' })],
  'profile:set': { bio: Joi.string().meta({ sanitize: 'basic' }), homepage: Joi.string().uri() },
  'cursor:move': [Joi.number(), Joi.number()],
};
const EVENTS = [...Object.keys(schemas), 'not:declared'];

describe('sanitizeGuard: fields marked in joi schemas', () => {
  it('sanitizes only the marked fields; other strings are never mangled', async () => {
    const { server, received } = await serverWith({ schemas }, EVENTS);
    const client = await connectClient(server.url);
    const reply = await emitWithAck(client, 'chat:send', {
      roomId: '<room & co>',
      message: '<b>hi</b><img src=x onerror=alert(1)>',
      password: 'p<a>ss&word',
    });
    expect(reply).toEqual([
      {
        roomId: '<room & co>',
        message: '<b>hi</b>&lt;img src="x" onerror="alert(1)" /&gt;',
        password: 'p<a>ss&word',
      },
    ]);
    expect(received[0]?.args).toEqual(reply);
  });

  it('follows array items, patterns, ordered items, alternatives and deep marks', async () => {
    const { server } = await serverWith({ schemas, preset: 'text' }, EVENTS);
    const client = await connectClient(server.url);
    const reply = await emitWithAck(client, 'board:post', {
      title: '<b>T</b>',
      items: [{ body: '<i>b</i><script>1</script>', raw: '<i>raw</i>' }],
      labels: { x: '<u>x</u>', y: '<u>y</u>' },
      pair: ['<k>', '<v>'],
      either: '<em>e</em><iframe>',
      quoted: { author: '<b>A</b>', lines: ['<i>1</i>', '<i>2</i>'] },
    });
    expect(reply).toEqual([
      {
        title: '&lt;b&gt;T&lt;/b&gt;',
        items: [{ body: '<i>b</i>&lt;script&gt;1&lt;/script&gt;', raw: '<i>raw</i>' }],
        labels: { x: '&lt;u&gt;x&lt;/u&gt;', y: '&lt;u&gt;y&lt;/u&gt;' },
        pair: ['<k>', '&lt;v&gt;'],
        either: '<em>e</em>&lt;iframe&gt;',
        quoted: {
          author: '&lt;b&gt;A&lt;/b&gt;',
          lines: ['&lt;i&gt;1&lt;/i&gt;', '&lt;i&gt;2&lt;/i&gt;'],
        },
      },
    ]);
  });

  it('handles positional schemas and the object shorthand', async () => {
    const { server } = await serverWith({ schemas }, EVENTS);
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'note:add', '<b>id</b>', '<b>x</b><svg>')).toEqual([
      '<b>id</b>',
      '<b>x</b>&lt;svg&gt;',
    ]);
    expect(
      await emitWithAck(client, 'profile:set', {
        bio: '<a href="javascript:x()">me</a>',
        homepage: 'https://a.example/?q=<>',
      }),
    ).toEqual([
      { bio: '<a rel="noopener noreferrer nofollow">me</a>', homepage: 'https://a.example/?q=<>' },
    ]);
  });

  it('leaves events whose schema marks nothing alone, and sanitizes every string of the others', async () => {
    const { server } = await serverWith({ schemas }, EVENTS);
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'cursor:move', '<1>', '<2>')).toEqual(['<1>', '<2>']);
    expect(await emitWithAck(client, 'not:declared', { a: '<b>x</b>' })).toEqual([
      { a: '&lt;b&gt;x&lt;/b&gt;' },
    ]);
  });
});
