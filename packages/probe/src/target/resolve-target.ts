import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { isLoopbackOrPrivate } from './address-ranges';

/** The host refused to be probed, or could not be resolved. */
export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export interface Target {
  readonly hostname: string;
  /** Every address the name resolved to, all checked. */
  readonly addresses: readonly ResolvedAddress[];
  /**
   * A `lookup` for `http.request` and `ws` that answers the checked addresses only
   * (all of them when asked for all, so `localhost` still reaches a server listening on
   * either family), so a name that resolves elsewhere later (DNS rebinding) is never
   * followed.
   */
  readonly lookup: LookupFunction;
}

function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  const [first] = addresses as [ResolvedAddress, ...ResolvedAddress[]];
  return (_hostname, options, callback) => {
    if (options.all === true) {
      callback(
        null,
        addresses.map(({ address, family }) => ({ address, family })),
      );
    } else {
      callback(null, first.address, first.family);
    }
  };
}

/**
 * Resolves the host the user named and checks every address it has: all must be
 * loopback or private unless `iOwnThisHost`. The probe then connects to those
 * addresses only.
 */
export async function resolveTarget(url: URL, iOwnThisHost: boolean): Promise<Target> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  const family = isIP(hostname);
  if (family !== 0) {
    addresses = [{ address: hostname, family: family as 4 | 6 }];
  } else {
    try {
      const found = await lookup(hostname, { all: true, verbatim: true });
      addresses = found.map(({ address, family: f }) => ({ address, family: f === 6 ? 6 : 4 }));
    } catch (error) {
      throw new TargetRefusedError(
        `cannot resolve ${hostname}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const first = addresses[0];
  if (first === undefined) throw new TargetRefusedError(`${hostname} has no address.`);
  const outside = addresses.filter(({ address }) => !isLoopbackOrPrivate(address));
  if (outside.length > 0 && !iOwnThisHost) {
    throw new TargetRefusedError(
      `${hostname} resolves to ${outside.map(({ address }) => address).join(', ')}, which is not a loopback or private address. ` +
        'Probe only servers you own; if you own this one, add --i-own-this-host (iOwnThisHost: true).',
    );
  }
  return { hostname, addresses, lookup: pinnedLookup(addresses) };
}
