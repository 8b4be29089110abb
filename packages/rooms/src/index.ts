export {
  roomsGuard,
  ROOMS_GUARD_NAME,
  ROOM_EXPIRING_EVENT,
  ROOM_LEFT_EVENT,
  type RoomGrant,
  type RoomsGuard,
} from './rooms-guard';
export {
  roomsGuardOptionsSpec,
  type RoomRule,
  type RoomsGuardOptions,
  type RoomTokenOptions,
  type RoomTokenVerifier,
} from './options';
export {
  memoryRoomRevocations,
  redisRoomRevocations,
  type RoomRevocationStore,
  type RedisRoomRevocationsOptions,
} from './revocations';
export { isValidRoomName, compileRoomPattern, type RoomPattern } from './room-names';
export type { RoomRight } from './rights';
