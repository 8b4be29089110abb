import Joi from 'joi';
import { connectClient, emitWithAck } from '@portcullis/testing';
import type { SanitizeGuardOptions } from '../src';
import { serverWith } from './helpers';

const XSS = '<img src=x onerror=alert(2)>';
const ESCAPED = '&lt;img src="x" onerror="alert(2)" /&gt;';

/** The same fields, named by path and marked in a schema: both must behave alike. */
const MODES: [string, SanitizeGuardOptions][] = [
  [
    'fields',
    {
      preset: 'basic',
      fields: { 'chat:send': ['message'], 'tags:set': ['tags[]'] },
      otherEvents: false,
    },
  ],
  [
    'schemas',
    {
      schemas: {
        'chat:send': Joi.object({ message: Joi.string().meta({ sanitize: 'basic' }) }),
        'tags:set': Joi.object({ tags: Joi.array().items(Joi.string().meta({ sanitize: true })) }),
      },
      otherEvents: false,
    },
  ],
];

describe.each(MODES)('sanitizeGuard (%s): a field that names a string', (_mode, options) => {
  it.each<[string, unknown]>([
    ['an array', [XSS]],
    ['a nested array', [[XSS]]],
    ['an object', { html: XSS }],
    ['binary', Buffer.from(XSS)],
  ])(
    'refuses %s there with VALIDATION_FAILED naming the path; the handler never runs',
    async (_name, value) => {
      const { server, received } = await serverWith(options, ['chat:send', 'tags:set']);
      const client = await connectClient(server.url);
      expect(await emitWithAck(client, 'chat:send', { message: value })).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: 'The field message must be text.',
          retryable: false,
          details: [{ path: 'message', type: 'string.base' }],
        },
      });
      expect(await emitWithAck(client, 'tags:set', { tags: ['ok', value] })).toMatchObject({
        error: { code: 'VALIDATION_FAILED', details: [{ path: 'tags[]', type: 'string.base' }] },
      });
      expect(received).toEqual([]);
      // The same socket is still served, and its strings sanitized.
      expect(await emitWithAck(client, 'chat:send', { message: XSS })).toEqual([
        { message: ESCAPED },
      ]);
    },
  );

  it('lets null, numbers and booleans through, and a missing field', async () => {
    const { server } = await serverWith(options, ['chat:send']);
    const client = await connectClient(server.url);
    for (const message of [null, 42, true]) {
      expect(await emitWithAck(client, 'chat:send', { message })).toEqual([{ message }]);
    }
    expect(await emitWithAck(client, 'chat:send', { other: XSS })).toEqual([{ other: XSS }]);
  });
});

describe('sanitizeGuard: fields reached however the containers on the way are shaped', () => {
  it('finds items[0] in an object, items[].body in object values, and pair.1 in an array', async () => {
    const { server } = await serverWith(
      {
        fields: { pick: ['items[0]'], list: ['items[].body'], pair: ['pair.1'] },
        otherEvents: false,
      },
      ['pick', 'list', 'pair'],
    );
    const client = await connectClient(server.url);
    // A handler reading msg.items[0] or msg.items[0].body gets these values from an object too.
    expect(await emitWithAck(client, 'pick', { items: { 0: XSS } })).toEqual([
      { items: { 0: ESCAPED } },
    ]);
    expect(await emitWithAck(client, 'list', { items: { 0: { body: XSS } } })).toEqual([
      { items: { 0: { body: ESCAPED } } },
    ]);
    expect(await emitWithAck(client, 'pair', { pair: ['a', XSS] })).toEqual([
      { pair: ['a', ESCAPED] },
    ]);
  });

  it('sanitizes every string of an object a schema allows beside a marked string', async () => {
    const content = Joi.alternatives().try(
      Joi.string().meta({ sanitize: 'basic' }),
      Joi.object({ caption: Joi.string(), lines: Joi.array().items(Joi.string()) }),
    );
    const { server } = await serverWith({ schemas: { post: Joi.object({ content }) } }, ['post']);
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'post', { content: `<b>b</b>${XSS}` })).toEqual([
      { content: `<b>b</b>${ESCAPED}` },
    ]);
    expect(
      await emitWithAck(client, 'post', { content: { caption: XSS, lines: [XSS, 'plain'] } }),
    ).toEqual([{ content: { caption: ESCAPED, lines: [ESCAPED, 'plain'] } }]);
  });
});
