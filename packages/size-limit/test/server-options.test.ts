import { connectClient, startServer } from '@portcullis/testing';
import { checkServerOptions, recommendedMaxHttpBufferSize, sizeLimitGuard } from '../src';
import { guardedServer } from './helpers';

describe('checkServerOptions', () => {
  it("warns that Socket.io's default maxHttpBufferSize (1 MB) is far above the 64 KiB limit", async () => {
    const { io } = await startServer();
    const warnings = checkServerOptions(io);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'PORTCULLIS_MAX_HTTP_BUFFER_TOO_LARGE',
        recommended: 131_072,
      }),
    ]);
    expect(warnings[0]?.message).toContain('maxHttpBufferSize: 131072');
  });

  it('warns when maxHttpBufferSize is not above the largest limit (silent drops)', async () => {
    const guard = sizeLimitGuard({ events: { 'file:upload': { maxBytes: 500_000 } } });
    const { io } = await startServer({ serverOptions: { maxHttpBufferSize: 400_000 } });
    expect(checkServerOptions(io, guard)).toEqual([
      expect.objectContaining({
        code: 'PORTCULLIS_MAX_HTTP_BUFFER_TOO_SMALL',
        recommended: 1_000_000,
      }),
    ]);
  });

  it('is silent when maxHttpBufferSize fits', async () => {
    const { io } = await startServer({
      serverOptions: { maxHttpBufferSize: recommendedMaxHttpBufferSize({ maxBytes: 8192 }) },
    });
    expect(checkServerOptions(io, { maxBytes: 8192 })).toEqual([]);
  });

  it('warns once per server when the first socket connects', async () => {
    // Observed (and kept off the test output); the guard's call is what is asserted.
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const { server, bus } = await guardedServer({}, { maxHttpBufferSize: 1e6 });
      const events: unknown[] = [];
      bus.on((event) => {
        if (event.type === 'warning') events.push(event.detail);
      });
      await connectClient(server.url);
      await connectClient(server.url);
      expect(events).toEqual([
        { code: 'PORTCULLIS_MAX_HTTP_BUFFER_TOO_LARGE', recommended: 131_072 },
      ]);
      expect(emitWarning).toHaveBeenCalledTimes(1);
      expect(emitWarning.mock.calls[0]?.[1]).toEqual({
        code: 'PORTCULLIS_MAX_HTTP_BUFFER_TOO_LARGE',
      });
    } finally {
      emitWarning.mockRestore();
    }
  });
});
