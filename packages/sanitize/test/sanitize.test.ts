import {
  DEFAULT_STRUCTURE_LIMITS,
  GuardError,
  StructureViolation,
  checkPayloadStructure,
  type PacketGuard,
} from '@portcullis/core';
import { connectClient, emitWithAck, waitFor } from '@portcullis/testing';
import { serverWith } from './helpers';

const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>';
/** `value` wrapped in `depth` objects: `{ a: { a: … } }`. */
function nest(depth: number, value: unknown): unknown {
  let result = value;
  for (let level = 0; level < depth; level++) result = { a: result };
  return result;
}

const RICH =
  '<b>bold</b> <i>it</i> <u>u</u> <a href="https://example.com/a?b=1&c=2" target="_blank">x</a>';

describe('sanitizeGuard: chosen fields', () => {
  const events = ['chat:send', 'board:post', 'cursor:move', 'note:add', 'tags:set'];
  const options = {
    preset: 'basic',
    fields: {
      'chat:send': ['message'],
      'board:post': { title: 'text', 'items[].body': 'basic', 'meta.*': 'text' },
      'note:add': ['[0]', '[1].text'],
      'tags:set': ['labels.*'],
    },
    otherEvents: false as const,
  };

  it('sanitizes the named fields in place; the handler and the ack see the clean text', async () => {
    const { server, received } = await serverWith(options, events);
    const client = await connectClient(server.url);
    const reply = await emitWithAck(client, 'chat:send', {
      message: `${RICH} ${XSS}`,
      password: 'a<b&c',
    });
    const clean =
      '<b>bold</b> <i>it</i> &lt;u&gt;u&lt;/u&gt; <a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">x</a> ' +
      '&lt;img src="x" onerror="alert(1)" /&gt;&lt;script&gt;alert(2)&lt;/script&gt;';
    expect(reply).toEqual([{ message: clean, password: 'a<b&c' }]);
    expect(received).toEqual([
      { event: 'chat:send', args: [{ message: clean, password: 'a<b&c' }] },
    ]);
  });

  it('follows array, wildcard and argument paths, each field with its own policy', async () => {
    const { server } = await serverWith(options, events);
    const client = await connectClient(server.url);
    const board = await emitWithAck(client, 'board:post', {
      title: '<b>Title</b>',
      items: [{ body: '<em>one</em><script>x()</script>' }, { body: 'plain' }, 'not an object'],
      meta: { a: '<i>a</i>', b: 5 },
      other: '<b>untouched</b>',
    });
    expect(board).toEqual([
      {
        title: '&lt;b&gt;Title&lt;/b&gt;',
        items: [
          { body: '<em>one</em>&lt;script&gt;x()&lt;/script&gt;' },
          { body: 'plain' },
          'not an object',
        ],
        meta: { a: '&lt;i&gt;a&lt;/i&gt;', b: 5 },
        other: '<b>untouched</b>',
      },
    ]);
    expect(
      await emitWithAck(client, 'note:add', '<b>hi</b><img src=x>', { text: '<i>t</i>' }),
    ).toEqual(['<b>hi</b>&lt;img src="x" /&gt;', { text: '<i>t</i>' }]);
    expect(await emitWithAck(client, 'tags:set', { labels: { a: '<x>', b: 'y&' } })).toEqual([
      { labels: { a: '&lt;x&gt;', b: 'y&amp;' } },
    ]);
  });

  it('leaves events without a rule untouched with otherEvents: false', async () => {
    const { server } = await serverWith(options, events);
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'cursor:move', '<b>', { x: '<i>' })).toEqual([
      '<b>',
      { x: '<i>' },
    ]);
  });
});

describe('sanitizeGuard: presets and modes', () => {
  it('sanitizes every string of every event with the text preset when given no options', async () => {
    const { server, received } = await serverWith({}, ['any:event']);
    const client = await connectClient(server.url);
    const reply = await emitWithAck(client, 'any:event', `<b>x</b>${XSS}`, {
      nested: [{ deep: '<svg onload=alert(1)>' }],
      count: 3,
      flag: true,
      empty: null,
      file: Buffer.from('<script>'),
    });
    const [text, object] = reply as [
      string,
      { nested: [{ deep: string }]; count: number; file: unknown },
    ];
    expect(text).toBe(
      '&lt;b&gt;x&lt;/b&gt;&lt;img src="x" onerror="alert(1)" /&gt;&lt;script&gt;alert(2)&lt;/script&gt;',
    );
    expect(object.nested[0].deep).toBe('&lt;svg onload="alert(1)"&gt;');
    expect(object).toMatchObject({ count: 3, flag: true, empty: null });
    const file = (received[0]?.args[1] as { file: Buffer }).file;
    expect(Buffer.isBuffer(file) && file.toString()).toBe('<script>');
  });

  it("removes disallowed tags with mode: 'strip', dropping script content", async () => {
    const { server } = await serverWith({ mode: 'strip', preset: 'basic' }, ['chat:send']);
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'chat:send', `<p>Hi <b>you</b></p>${XSS}<u>x</u>`)).toEqual([
      'Hi <b>you</b>x',
    ]);
    const text = await serverWith({ mode: 'strip' }, ['chat:send']);
    const other = await connectClient(text.server.url);
    expect(
      await emitWithAck(other, 'chat:send', '<b>Hi</b> <a href="https://x.example">there</a>'),
    ).toEqual(['Hi there']);
  });

  it('keeps only http, https and mailto links in basic, always with rel="noopener noreferrer nofollow"', async () => {
    const { server } = await serverWith({ preset: 'basic' }, ['chat:send']);
    const client = await connectClient(server.url);
    const links = [
      '<a href="https://ok.example" rel="opener" onclick="x()">1</a>',
      '<a href="mailto:me@example.com">2</a>',
      '<a href="javascript:alert(1)">3</a>',
      '<a href="JaVaScRiPt&colon;alert(1)">4</a>',
      '<a href="jav&#x09;ascript:alert(1)">5</a>',
      '<a href="data:text/html,<script>alert(1)</script>">6</a>',
      '<a href="//evil.example">7</a>',
      '<a href="/relative">8</a>',
      '<a href="vbscript:msgbox(1)">9</a>',
    ];
    const reply = (await emitWithAck(client, 'chat:send', links.join('|'))) as [string];
    const rel = 'rel="noopener noreferrer nofollow"';
    expect(reply[0].split('|')).toEqual([
      `<a href="https://ok.example" ${rel}>1</a>`,
      `<a href="mailto:me@example.com" ${rel}>2</a>`,
      ...[3, 4, 5, 6, 7, 8, 9].map((n) => `<a ${rel}>${n}</a>`),
    ]);
  });

  it('hands strings without < or & to the handler unchanged, and escapes & where markup may be', async () => {
    const { server } = await serverWith({ preset: 'basic' }, ['chat:send']);
    const client = await connectClient(server.url);
    const plain = 'Hello "world" > 3 — ça va? 😀';
    expect(await emitWithAck(client, 'chat:send', plain, 'Tom & Jerry', '&lt;b&gt;')).toEqual([
      plain,
      'Tom &amp; Jerry',
      '&lt;b&gt;',
    ]);
  });

  it('applies a custom policy by name, with the guard mode unless the policy sets its own', async () => {
    const { server } = await serverWith(
      {
        policies: {
          rich: { allowedTags: ['p', 'ul', 'li'], allowedAttributes: {} },
          quiet: { allowedTags: [], allowedAttributes: {}, disallowedTagsMode: 'discard' },
        },
        fields: { 'post:add': { body: 'rich', summary: 'quiet' } },
      },
      ['post:add'],
    );
    const client = await connectClient(server.url);
    expect(
      await emitWithAck(client, 'post:add', {
        body: '<p>a</p><ul><li>b</li></ul><b>c</b>',
        summary: '<p>s</p>',
      }),
    ).toEqual([{ body: '<p>a</p><ul><li>b</li></ul>&lt;b&gt;c&lt;/b&gt;', summary: 's' }]);
  });

  it('used alone, refuses an every-string payload deeper than 32 instead of passing it unsanitized', async () => {
    const { server, received } = await serverWith({}, ['any:event']);
    const client = await connectClient(server.url);
    const tooDeep = { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxDepth', max: 32 } };
    expect(await emitWithAck(client, 'any:event', nest(33, '<script>'))).toEqual({
      error: expect.objectContaining(tooDeep) as unknown,
    });
    // Far past what a recursive walk could take: refused by core's iterative walk first.
    const error = waitFor(client, 'portcullis:error');
    client.io.engine.write(`2["any:event",${'['.repeat(50_000)}"<b>"${']'.repeat(50_000)}]`);
    expect((await error)[0]).toMatchObject(tooDeep);
    expect(await emitWithAck(client, 'any:event', nest(32, '<b>'))).toEqual([
      nest(32, '&lt;b&gt;'),
    ]);
    expect(received).toHaveLength(1);
  });

  it("behind an earlier structure walk (size-limit's), trusts its depth and walks nothing again", async () => {
    // Stands in for sizeLimitGuard({ maxDepth: 100 }): the same core walk, run first.
    const structure: PacketGuard = {
      guardName: 'structure',
      check(_socket, packet) {
        const limits = { ...DEFAULT_STRUCTURE_LIMITS, maxDepth: 100 };
        if (checkPayloadStructure(packet, limits) !== StructureViolation.OK) {
          return new GuardError('PAYLOAD_TOO_LARGE');
        }
        return undefined;
      },
    };
    const { server, received } = await serverWith({}, ['any:event'], [structure]);
    const client = await connectClient(server.url);
    // 40 levels: over sanitize's own fallback of 32, within the walk that ran first.
    expect(await emitWithAck(client, 'any:event', nest(40, '<b>'))).toEqual([
      nest(40, '&lt;b&gt;'),
    ]);
    expect(received).toHaveLength(1);
  });
});
