import { connectClient, emitWithAck, waitFor } from '@portcullis/testing';
import { serverWith } from './helpers';

/**
 * sanitize-html, counted: the budget must refuse a packet before the parser has run on
 * any of its strings, which nothing outside the server can observe.
 */
const mockParser = { calls: 0 };
jest.mock('sanitize-html', () => {
  const actual = jest.requireActual<(...args: unknown[]) => string>('sanitize-html');
  const counted = (...args: unknown[]): string => {
    mockParser.calls++;
    return actual(...args);
  };
  return Object.assign(counted, actual);
});

const FIRST = '<i>first</i>'; // 12 characters, 2 markup characters
const times = (count: number, text: string): string[] => Array.from({ length: count }, () => text);

describe('sanitizeGuard: markup budget (defaults 100 strings, 8192 characters, 512 < and &)', () => {
  beforeEach(() => {
    mockParser.calls = 0;
  });

  it.each<[string, string[]]>([
    ['101 strings with markup', [FIRST, ...times(100, '<b>')]],
    ['8193 characters of strings with markup', [FIRST, `<${'a'.repeat(8180)}`]],
    ['513 markup characters', [FIRST, `${'<'.repeat(300)}${'&'.repeat(211)}`]],
    ['one 60 KB string of <b>', ['<b>'.repeat(20_000)]],
    ['10,000 strings "<b>"', times(10_000, '<b>')],
  ])(
    'refuses a packet with %s with PAYLOAD_TOO_LARGE before parsing any of it; other clients are served',
    async (_name, strings) => {
      const { server, received } = await serverWith({}, ['chat:send']);
      const attacker = await connectClient(server.url);
      const honest = await connectClient(server.url);
      const reply = await emitWithAck(attacker, 'chat:send', { lines: strings });
      expect(reply).toEqual({
        error: {
          code: 'PAYLOAD_TOO_LARGE',
          message: expect.stringMatching(/more markup/) as unknown,
          retryable: false,
          info: { maxMarkupStrings: 100, maxMarkupLength: 8192, maxMarkupChars: 512 },
        },
      });
      expect(mockParser.calls).toBe(0);
      expect(received).toEqual([]);
      expect(await emitWithAck(honest, 'chat:send', '<b>hi</b>')).toEqual([
        '&lt;b&gt;hi&lt;/b&gt;',
      ]);
      expect(await emitWithAck(attacker, 'chat:send', 'still served')).toEqual(['still served']);
    },
  );

  it('refuses without an ack through portcullis:error', async () => {
    const { server, received } = await serverWith({}, ['chat:send']);
    const client = await connectClient(server.url);
    const error = waitFor(client, 'portcullis:error');
    client.emit('chat:send', '<b>'.repeat(20_000));
    expect((await error)[0]).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', event: 'chat:send' });
    expect(received).toEqual([]);
  });

  it('sanitizes a packet right at each limit', async () => {
    const { server } = await serverWith({}, ['chat:send']);
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'chat:send', [FIRST, ...times(99, '<b>')])).toEqual([
      ['&lt;i&gt;first&lt;/i&gt;', ...times(99, '&lt;b&gt;')],
    ]);
    const long = `<${'a'.repeat(8179)}`;
    expect(await emitWithAck(client, 'chat:send', FIRST, long)).toEqual([
      '&lt;i&gt;first&lt;/i&gt;',
      `&lt;${'a'.repeat(8179)}`,
    ]);
    expect(await emitWithAck(client, 'chat:send', FIRST, '<'.repeat(510))).toEqual([
      '&lt;i&gt;first&lt;/i&gt;',
      '&lt;'.repeat(510),
    ]);
  });

  it('never counts plain text, which never reaches the parser', async () => {
    const { server } = await serverWith({}, ['chat:send']);
    const client = await connectClient(server.url);
    const plain = { lines: times(5000, 'plain > text'), long: 'x'.repeat(60_000) };
    expect(await emitWithAck(client, 'chat:send', plain, '<b>x</b>')).toEqual([
      plain,
      '&lt;b&gt;x&lt;/b&gt;',
    ]);
    expect(mockParser.calls).toBe(1);
  });

  it('counts only the strings that would be sanitized', async () => {
    const { server } = await serverWith(
      { fields: { 'chat:send': ['message'] }, otherEvents: false },
      ['chat:send'],
    );
    const client = await connectClient(server.url);
    const raw = '<'.repeat(5000);
    expect(await emitWithAck(client, 'chat:send', { message: '<b>x</b>', raw })).toEqual([
      { message: '&lt;b&gt;x&lt;/b&gt;', raw },
    ]);
    expect(
      await emitWithAck(client, 'chat:send', { message: '<b>'.repeat(1000), raw: '' }),
    ).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('takes limits of your own, keeping the defaults of the others, and false turns it off', async () => {
    const small = await serverWith({ markupBudget: { maxMarkupStrings: 2 } }, ['chat:send']);
    const client = await connectClient(small.server.url);
    expect(await emitWithAck(client, 'chat:send', '<b>', '<i>', '<u>')).toMatchObject({
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        info: { maxMarkupStrings: 2, maxMarkupLength: 8192, maxMarkupChars: 512 },
      },
    });
    expect(await emitWithAck(client, 'chat:send', '<b>', '<i>')).toEqual([
      '&lt;b&gt;',
      '&lt;i&gt;',
    ]);

    const off = await serverWith({ markupBudget: false }, ['chat:send']);
    const other = await connectClient(off.server.url);
    expect(await emitWithAck(other, 'chat:send', times(200, '<b>'))).toEqual([
      times(200, '&lt;b&gt;'),
    ]);
  });
});
