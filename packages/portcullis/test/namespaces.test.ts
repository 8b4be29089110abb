import type { Namespace, Server } from 'socket.io';
import {
  connectClient,
  emitWithAck,
  expectConnectError,
  startServer,
  waitFor,
} from '@portcullis/testing';
import { portcullis, secureServerOptions } from 'portcullis';
import { ORIGIN, baseOptions, honest, presetServer } from './helpers';

/** An echo handler with an ack, on every socket of a namespace. */
function echo(nsp: Namespace, handled: string[]): void {
  nsp.on('connection', (socket) => {
    socket.on('echo', (value: unknown, ack?: (reply: unknown) => void) => {
      handled.push(socket.nsp.name);
      ack?.({ ok: true });
    });
  });
}

/** A payload nested `depth` levels deep. */
function nested(depth: number): unknown {
  let value: unknown = 'x';
  for (let level = 0; level < depth; level++) value = { a: value };
  return value;
}

const anonymous = { extraHeaders: { origin: ORIGIN } };

describe('every namespace is guarded', () => {
  it('guards namespaces created before and after portcullis(), and dynamic ones', async () => {
    const handled: string[] = [];
    const server = await startServer({
      serverOptions: secureServerOptions({ origins: [ORIGIN] }),
      setup(io) {
        echo(io.of('/before'), handled);
        echo(io.of(/^\/early-\w+$/), handled);
        portcullis(io, baseOptions());
        echo(io.of('/after'), handled);
        echo(io.of(/^\/late-\w+$/), handled);
        echo(io.of('/'), handled);
      },
    });
    for (const namespace of ['/', '/before', '/after', '/early-1', '/late-1']) {
      const refused = await expectConnectError(server.url, { ...anonymous, namespace });
      expect({ namespace, code: refused.data?.code }).toEqual({
        namespace,
        code: 'AUTH_REQUIRED',
      });
      const client = await connectClient(server.url, { ...(await honest()), namespace });
      expect(await emitWithAck(client, 'echo', 'hi')).toEqual({ ok: true });
      // The packet guards are there too: size and depth limits.
      expect(await emitWithAck(client, 'echo', 'x'.repeat(120_000))).toMatchObject({
        error: { code: 'PAYLOAD_TOO_LARGE' },
      });
      expect(await emitWithAck(client, 'echo', nested(200))).toMatchObject({
        error: { code: 'PAYLOAD_TOO_LARGE' },
      });
    }
    expect(handled.sort()).toEqual(['/', '/after', '/before', '/early-1', '/late-1']);
  });

  it('leaves open only the namespaces named in publicNamespaces, and says so at start-up', async () => {
    const handled: string[] = [];
    let warnings: readonly { code: string; message: string }[] = [];
    const server = await startServer({
      serverOptions: secureServerOptions({ origins: [ORIGIN] }),
      setup(io) {
        echo(io.of('/status'), handled);
        warnings = portcullis(io, {
          ...baseOptions(),
          startupCheck: true,
          publicNamespaces: ['/status'],
        }).warnings;
        echo(io.of('/admin'), handled);
      },
    });
    const open = await connectClient(server.url, { ...anonymous, namespace: '/status' });
    expect(await emitWithAck(open, 'echo', 'up?')).toEqual({ ok: true });
    const closed = await expectConnectError(server.url, { ...anonymous, namespace: '/admin' });
    expect(closed.data?.code).toBe('AUTH_REQUIRED');
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'UNGUARDED_NAMESPACES',
        message: expect.stringContaining('/status'),
      }),
    ]);
  });

  it('reaches a socket connected only to another namespace when the user is revoked', async () => {
    const handled: string[] = [];
    const { server, guards } = await presetServer({}, (io: Server) => {
      echo(io.of('/admin'), handled);
      echo(io.of(/^\/doc-\w+$/), handled);
    });
    const admin = await connectClient(server.url, {
      ...(await honest('mallory')),
      namespace: '/admin',
    });
    const doc = await connectClient(server.url, {
      ...(await honest('mallory')),
      namespace: '/doc-7',
    });
    const notices = Promise.all([
      waitFor(admin, 'portcullis:disconnect'),
      waitFor(doc, 'portcullis:disconnect'),
    ]);
    await guards.revocation?.revokeUser('mallory');
    const [[onAdmin], [onDoc]] = await notices;
    expect(onAdmin).toMatchObject({ code: 'SESSION_REVOKED' });
    expect(onDoc).toMatchObject({ code: 'SESSION_REVOKED' });
  });

  it('refuses the old namespaces option with the way to migrate', async () => {
    const server = await startServer();
    expect(() => portcullis(server.io, { ...baseOptions(), namespaces: ['/'] } as never)).toThrow(
      /publicNamespaces/,
    );
    expect(() => portcullis(server.io, { ...baseOptions(), publicNamespaces: ['status'] })).toThrow(
      /must be a namespace name starting with "\/"/,
    );
  });
});
