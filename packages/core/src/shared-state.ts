/**
 * State that must exist once per process, whichever copy of core is loaded.
 *
 * Every package ships an ES module and a CommonJS build, so an app that reaches core
 * through `require` in one place and `import` in another loads two copies of this
 * package. Module-level state would then split: settings set through one copy, guards
 * reading defaults through the other, refusals of one copy never heard by the other.
 * So core keeps its state in one object on `globalThis`, under a registry symbol both
 * copies resolve to the same key. The version in the key changes only if the shape of
 * this object does, so two incompatible cores never share a table they misread.
 */
const STATE_KEY = Symbol.for('portcullis.core.state.v4');

/** Tables keyed by objects: entries die with their server or socket. */
export interface SharedCoreState {
  /** The default security-event bus (created by whichever copy loads first). */
  bus: unknown;
  /** Settings per Socket.io server (`configurePortcullis`). */
  readonly settingsByServer: WeakMap<object, unknown>;
  /** Refusal listeners per socket (`onPacketRefused`). */
  readonly refusalListeners: WeakMap<object, unknown>;
  /** Packet gates per socket (`holdPackets`). */
  readonly packetGates: WeakMap<object, unknown>;
  /** Adapters whose `restoreSession` is wrapped (`restoreSessionsOnce`). */
  readonly wrappedAdapters: WeakSet<object>;
  /** Per-server escalation state (refusal weights and thresholds). */
  readonly escalationByServer: WeakMap<object, unknown>;
  /** Clean-up steps per namespace, run when a socket disconnects (`onSocketRelease`). */
  readonly releaseSteps: WeakMap<object, unknown>;
  /** Each server's deadline heap, one entry per socket for every guard (`DeadlineLane`). */
  readonly deadlinesByServer: WeakMap<object, unknown>;
  /** Core's one record per socket: its deadline entry and the slots guards claim. */
  readonly socketRecords: WeakMap<object, unknown>;
  /** Record slots claimed so far (`socketSlot`). */
  slotsClaimed: number;
}

type GlobalWithState = typeof globalThis & { [STATE_KEY]?: SharedCoreState };

function createState(): SharedCoreState {
  return {
    bus: undefined,
    settingsByServer: new WeakMap(),
    refusalListeners: new WeakMap(),
    packetGates: new WeakMap(),
    wrappedAdapters: new WeakSet(),
    escalationByServer: new WeakMap(),
    releaseSteps: new WeakMap(),
    deadlinesByServer: new WeakMap(),
    socketRecords: new WeakMap(),
    slotsClaimed: 0,
  };
}

const holder = globalThis as GlobalWithState;

/** The one state object of this process. */
export const sharedState: SharedCoreState = (holder[STATE_KEY] ??= createState());
