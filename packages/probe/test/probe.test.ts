import { runProbe } from '@portcullis/probe';
import { ORIGIN } from './fixtures/constants';
import { presetServer } from './fixtures/preset-server';

describe('the baseline', () => {
  it('says an honest client is refused, and judges nothing else, without a token', async () => {
    const { server } = await presetServer();
    const report = await runProbe({ url: server.url, origin: ORIGIN, only: ['auth'] });
    const [baseline, ...rest] = report.results;
    expect(baseline?.status).toBe('fail');
    expect(baseline?.summary).toMatch(/AUTH_REQUIRED/);
    expect(rest.map(({ status }) => status)).toEqual(Array(5).fill('not-applicable'));
    expect(report.ok).toBe(false);
  });
});
