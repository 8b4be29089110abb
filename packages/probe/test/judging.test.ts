import { startServer } from '@portcullis/testing';
import { runProbe } from '@portcullis/probe';
import { EVENT, ORIGIN, PAYLOAD, SECRET, presetServer } from './servers';

describe('how answers are judged', () => {
  it('fails a refusal with another code: the thing under test was not shown to be refused', async () => {
    // The event is FORBIDDEN before validation sees it.
    const { server } = await presetServer({ authorize: { rules: { [EVENT]: false } } });
    const report = await runProbe({
      url: server.url,
      origin: ORIGIN,
      hs256Secret: SECRET,
      event: EVENT,
      payload: PAYLOAD,
      only: ['prototype-pollution'],
    });
    const check = report.results[1];
    expect(check?.status).toBe('fail');
    expect(check?.evidence[0]).toMatchObject({
      received: 'FORBIDDEN',
      code: 'FORBIDDEN',
      ok: false,
      note: 'refused, but not for this (expected VALIDATION_FAILED)',
    });
  });

  it('fails a message neither refused nor answered, saying so', async () => {
    const server = await startServer({
      setup(io) {
        io.on('connection', (socket) => socket.on(EVENT, () => undefined));
      },
    });
    const report = await runProbe({
      url: server.url,
      event: EVENT,
      payload: PAYLOAD,
      timeoutMs: 300,
      only: ['oversized-payload'],
    });
    expect(report.results[1]?.evidence[0]).toMatchObject({
      received: 'no answer',
      ok: false,
      note: 'neither refused nor answered within 300 ms',
    });
  });

  it('probes the namespace named in the URL', async () => {
    const { server } = await presetServer({ namespaces: ['/chat'] });
    const report = await runProbe({
      url: `${server.url}/chat`,
      origin: ORIGIN,
      hs256Secret: SECRET,
      only: ['auth'],
    });
    expect(report.target).toBe(`${server.url}/chat`);
    expect(
      report.results.map(({ evidence }) => evidence.map((item) => item.code ?? item.received)),
    ).toEqual([
      ['connected'],
      ['AUTH_REQUIRED'],
      ['AUTH_INVALID'],
      ['AUTH_EXPIRED'],
      ['AUTH_INVALID'],
    ]);
  });
});
