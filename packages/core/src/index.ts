export { GUARD_ERROR_CODES, CODE_INFO, isGuardErrorCode, type GuardErrorCode } from './codes';
export {
  GuardError,
  isGuardError,
  type GuardErrorData,
  type GuardErrorDetail,
  type GuardErrorOptions,
} from './guard-error';
export { getContext, peekContext, type PortcullisContext, type PortcullisUser } from './context';
export {
  SecurityEventBus,
  securityEvents,
  type SecurityEvent,
  type SecurityEventBusOptions,
  type SecurityEventDetail,
  type RefusalWeight,
  type SecurityEventListener,
  type SecurityEventType,
} from './events';
export {
  configurePortcullis,
  resolveCoreOptions,
  settingsOf,
  settingsOfServer,
  DEFAULT_ERROR_EVENT,
  DEFAULT_DISCONNECT_EVENT,
  type CoreOptions,
  type CoreSettings,
} from './settings';
export { TrustedProxies, resolveClientIp, type TrustedProxy } from './client-ip';
export { normalizeIp, ipSubnetKey, stripPort } from './ip';
export { recordSocketEvent, safeEventName, type RecordFields } from './record';
export { packetBytesOf, setPacketBytes } from './packet-bytes';
export {
  refusePacket,
  disconnectWithCode,
  onPacketRefused,
  type DisconnectOptions,
  type RefusalListener,
} from './refuse';
export {
  handshakeGuard,
  packetMiddleware,
  usePacketGuards,
  attachPacketGuards,
  recordConnections,
  isThenable,
  PACKET_HANDLED,
  type PacketVerdict,
  type GuardVerdict,
  type MaybePromise,
  type HandshakeCheck,
  type PacketCheck,
  type PacketGuard,
} from './guards';
export { addOneOrMany, removeOneOrMany, listOneOrMany, type OneOrMany } from './one-or-many';
export { shortDigest } from './digest';
export { withinDeadline } from './deadline';
export { valueAtLocation, type PacketLocation } from './packet-location';
export {
  namespaceOf,
  onSocketRelease,
  releaseWhenDisconnected,
  type ReleaseStep,
} from './socket-release';
export type {
  AnySocket,
  AnyServer,
  AnyNamespace,
  Packet,
  HandshakeMiddleware,
  PacketMiddleware,
  PortcullisSocketData,
} from './socket-types';
export {
  holdPackets,
  packetsHeld,
  whenPacketsReleased,
  MAX_HELD_PACKETS,
  DEFAULT_HOLD_TIMEOUT_MS,
  type HoldPacketsOptions,
} from './packet-gate';
export {
  rerunHandshakeOnRecovery,
  runHandshakeChain,
  middlewaresSkipped,
  type RerunHandshakeOptions,
} from './recovery';
export { restoreSessionsOnce } from './restore-once';
export {
  countAt,
  countInWindow,
  windowLeftMs,
  KeyedWindows,
  type FixedWindow,
} from './fixed-window';
export {
  weighRefusal,
  escalationCut,
  refusalWeightOf,
  resolveEscalation,
  DEFAULT_DISCONNECT_AFTER,
  DEFAULT_REFUSAL_WEIGHTS,
  type DisconnectAfter,
  type EscalationOptions,
  type EscalationPolicy,
} from './escalation';
export * from './options';
export {
  DeadlineScheduler,
  type DeadlineSchedulerOptions,
  type ScheduledEntry,
} from './deadline-scheduler';
export { DeadlineLane, type DeadlineLaneSpec, type DeadlineView } from './socket-deadlines';
export { socketSlot, type SocketSlot } from './socket-record';
export * from './redis';
export * from './payload';
