import type { AnyServer } from '@portcullis/core';
import type { RevocationTarget } from './revoker';

/** A revocation target for a whole server, whatever namespaces it has or will have. */
export interface EveryNamespaceTarget extends RevocationTarget {
  readonly server: AnyServer;
}

/**
 * Revokes across every namespace of the server, including ones created later
 * (`io.of('/admin')`, the children of a dynamic `io.of(/^\/room-\w+$/)`): this node's
 * index holds the sockets of all of them, and the other nodes hear the revocation
 * once, through the main namespace, and look in their own index.
 */
export function everyNamespace(io: AnyServer): EveryNamespaceTarget {
  return {
    server: io,
    serverSideEmit(event, ...args) {
      return io.sockets.serverSideEmit(event, ...args);
    },
  };
}
