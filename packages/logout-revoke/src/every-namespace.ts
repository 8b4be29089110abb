import type { AnyNamespace, AnyServer } from '@portcullis/core';
import type { RevocableRemoteSocket, RevocationBroadcast, RevocationTarget } from './revoker';

/** A revocation target over every namespace of a server, including ones created later. */
export interface EveryNamespaceTarget extends RevocationTarget {
  readonly server: AnyServer;
  readonly local: { in(room: string): RevocationBroadcast };
}

/** One broadcast that goes out through several namespaces' broadcasts. */
function fanOut(broadcasts: readonly RevocationBroadcast[]): RevocationBroadcast {
  return {
    except(room) {
      return fanOut(broadcasts.map((broadcast) => broadcast.except(room)));
    },
    emit(event, ...args) {
      for (const broadcast of broadcasts) broadcast.emit(event, ...args);
      return true;
    },
    disconnectSockets(close) {
      for (const broadcast of broadcasts) broadcast.disconnectSockets(close);
    },
    async fetchSockets() {
      const found = await Promise.all(
        broadcasts.map((broadcast) => broadcast.fetchSockets?.() ?? Promise.resolve([])),
      );
      return found.flat() as readonly RevocableRemoteSocket[];
    },
  };
}

/**
 * Sends revocations through every namespace the server has when the revocation is made:
 * the ones that existed at start-up and the ones created since (`io.of('/admin')`, the
 * children of a dynamic `io.of(/^\/room-\w+$/)`). Each namespace has its own adapter and
 * its own rooms, so a revocation must be sent through each; Socket.io lists its concrete
 * namespaces in `io._nsps`.
 */
export function everyNamespace(io: AnyServer): EveryNamespaceTarget {
  const namespaces = (): AnyNamespace[] => [...io._nsps.values()];
  return {
    server: io,
    in(room) {
      return fanOut(namespaces().map((nsp) => nsp.in(room) as unknown as RevocationBroadcast));
    },
    local: {
      in(room) {
        return fanOut(
          namespaces().map((nsp) => nsp.local.in(room) as unknown as RevocationBroadcast),
        );
      },
    },
  };
}
