import {
  addOneOrMany,
  getContext,
  listOneOrMany,
  removeOneOrMany,
  socketSlot,
  type AnyServer,
  type AnySocket,
  type OneOrMany,
  type PortcullisUser,
} from '@portcullis/core';
import { sessionDigestOf, tokenDigestOf } from './identity';
import { RecentRevocations } from './recent-revocations';

/** The value of one base64url character (`A`–`Z`, `a`–`z`, `0`–`9`, `-`, `_`). */
function sextet(code: number): number {
  if (code === 95) return 63; // '_'
  if (code >= 97) return code - 71; // 'a'–'z': 26–51
  if (code >= 65) return code - 65; // 'A'–'Z': 0–25
  if (code >= 48) return code + 4; // '0'–'9': 52–61
  return 62; // '-'
}

/**
 * The index key of a session or token digest: its first 30 bits, a small integer. The
 * digest itself, a 22-character string, cost about 40 bytes per socket and identity;
 * a small integer costs nothing beside the map entry. Different digests may share a
 * key, so a lookup keeps only the sockets whose own digest is the one asked for.
 */
export function digestBucket(digest: string): number {
  let bucket = 0;
  for (let index = 0; index < 5; index++) {
    bucket = (bucket << 6) | sextet(digest.charCodeAt(index));
  }
  return bucket;
}

/**
 * This node's sockets by the identities a revocation can name: user id, session and
 * token (digests, as in the denylist's keys, filed under `digestBucket`). A revocation
 * reaches every node as one adapter message, and each node finds its own sockets here:
 * no room per socket and identity, so a socket costs a map entry per identity instead
 * of three rooms.
 */
export class RevocationIndex {
  private readonly byUser = new Map<string, OneOrMany<AnySocket>>();
  private readonly bySession = new Map<number, OneOrMany<AnySocket>>();
  private readonly byToken = new Map<number, OneOrMany<AnySocket>>();
  /**
   * The user each socket was filed under, to take it out exactly after its context's
   * user changed. The user only (its digests are computed again on the way out): a
   * record with the digests cost about 50 bytes more per socket, for two hashes saved
   * at disconnect. Kept in core's socket record while it has room (`socketSlot`).
   */
  private readonly indexed = socketSlot<PortcullisUser>();
  /** What this node revoked lately, for handshakes whose denylist read was in flight. */
  readonly recent = new RecentRevocations();

  /** Puts the socket under its context's user, or moves it after the user changed. */
  sync(socket: AnySocket): void {
    const user = getContext(socket).user;
    const previous = this.indexed.get(socket);
    if (previous === user) return;
    if (previous !== undefined) this.remove(socket);
    // A socket that has left is not put back: its release step has run already.
    if (user === undefined || socket.disconnected) return;
    this.indexed.set(socket, user);
    addOneOrMany(this.byUser, user.id, socket);
    const session = sessionDigestOf(user);
    if (session !== undefined) addOneOrMany(this.bySession, digestBucket(session), socket);
    const token = tokenDigestOf(user);
    if (token !== undefined) addOneOrMany(this.byToken, digestBucket(token), socket);
  }

  /** Takes the socket out (at disconnect, or when its user is dropped). */
  remove(socket: AnySocket): void {
    const user = this.indexed.get(socket);
    if (user === undefined) return;
    this.indexed.delete(socket);
    removeOneOrMany(this.byUser, user.id, socket);
    const session = sessionDigestOf(user);
    if (session !== undefined) removeOneOrMany(this.bySession, digestBucket(session), socket);
    const token = tokenDigestOf(user);
    if (token !== undefined) removeOneOrMany(this.byToken, digestBucket(token), socket);
  }

  ofUser(userId: string): readonly AnySocket[] {
    return listOneOrMany(this.byUser, userId);
  }

  /** Sockets of a session, by the digest of its id. */
  ofSession(sessionDigest: string): readonly AnySocket[] {
    return listOneOrMany(this.bySession, digestBucket(sessionDigest)).filter(
      (socket) => this.sessionOf(socket) === sessionDigest,
    );
  }

  /** Sockets opened with a token, by the digest of its id. */
  ofToken(tokenDigest: string): readonly AnySocket[] {
    return listOneOrMany(this.byToken, digestBucket(tokenDigest)).filter((socket) => {
      const user = this.indexed.get(socket);
      return user !== undefined && tokenDigestOf(user) === tokenDigest;
    });
  }

  /** The session digest the socket was indexed under. */
  sessionOf(socket: AnySocket): string | undefined {
    const user = this.indexed.get(socket);
    return user === undefined ? undefined : sessionDigestOf(user);
  }

  /** Users with at least one socket here (for tests and metrics). */
  get users(): number {
    return this.byUser.size;
  }
}

/**
 * One index per Socket.io server, kept on `globalThis` under a registry symbol: the ESM
 * and CommonJS builds of this package must find the same index for the same server.
 */
const INDEX_KEY = Symbol.for('portcullis.logoutRevoke.index.v1');
type GlobalWithIndexes = typeof globalThis & {
  [INDEX_KEY]?: WeakMap<AnyServer, RevocationIndex>;
};
const indexes = ((globalThis as GlobalWithIndexes)[INDEX_KEY] ??= new WeakMap());

/** The index of a server's sockets on this node. */
export function revocationIndexOf(server: AnyServer): RevocationIndex {
  let index = indexes.get(server);
  if (index === undefined) {
    index = new RevocationIndex();
    indexes.set(server, index);
  }
  return index;
}

/**
 * Puts the socket under the identities of its context's user, and out of those it no
 * longer has (after a token refresh changed the token id, or the user was dropped).
 * Call it whenever the context's user changes.
 */
export function syncRevocationIndex(socket: AnySocket): void {
  revocationIndexOf(socket.nsp.server).sync(socket);
}

/** Takes a socket out of its server's index (its release step at disconnect). */
export function dropFromRevocationIndex(socket: AnySocket): void {
  revocationIndexOf(socket.nsp.server).remove(socket);
}
