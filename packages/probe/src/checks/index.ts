import type { ProbeContext } from '../context';
import type { CheckOutcome } from '../judge';
import type { CheckId } from '../report';
import { algNoneCheck } from './alg-none';
import { baselineCheck } from './baseline';
import { eventFloodCheck } from './event-flood';
import { expiredTokenCheck } from './expired-token';
import { fieldTypesCheck } from './field-types';
import { foreignOriginCheck } from './foreign-origin';
import { foreignRoomCheck } from './foreign-room';
import { logoutCheck } from './logout';
import { markupBombCheck } from './markup-bomb';
import { markupInArrayCheck } from './markup-in-array';
import { missingOriginCheck } from './missing-origin';
import { noTokenCheck } from './no-token';
import { nullOriginCheck } from './null-origin';
import { oversizedPayloadCheck } from './oversized-payload';
import { perMessageDeflateCheck } from './per-message-deflate';
import { pollingCorsCheck } from './polling-cors';
import { prototypePollutionCheck } from './prototype-pollution';
import { replayCheck } from './replay';
import { typeConfusionCheck } from './type-confusion';
import { unguardedNamespaceCheck } from './unguarded-namespace';
import { wrongKeyCheck } from './wrong-key';

export interface ProbeCheck {
  readonly id: CheckId;
  /** What a pass means. */
  readonly title: string;
  /**
   * Whether the check means anything when an honest client cannot connect (a refusal
   * seen then could be that same refusal).
   */
  readonly needsBaseline: boolean;
  readonly run: (ctx: ProbeContext) => Promise<CheckOutcome>;
}

/**
 * Every check, in the order they run. The message checks share one session and come
 * late: those after which servers close the connection go last (type confusion, then
 * the flood on its own session, which may leave the user rate limited for a while).
 * The field types get a session of their own, so the refusals of the checks before
 * do not count towards a server's "disconnect after so many refusals"; so does the
 * markup bomb's sender (the shared session is the other client it measures).
 * The logout runs last: it logs the user out.
 */
export const CHECKS: readonly ProbeCheck[] = [
  { id: 'baseline', title: 'an honest client connects', needsBaseline: false, run: baselineCheck },
  {
    id: 'foreign-origin',
    title: 'a foreign Origin is refused',
    needsBaseline: true,
    run: foreignOriginCheck,
  },
  {
    id: 'missing-origin',
    title: 'a missing Origin is refused',
    needsBaseline: true,
    run: missingOriginCheck,
  },
  {
    id: 'null-origin',
    title: 'Origin: null is refused',
    needsBaseline: true,
    run: nullOriginCheck,
  },
  {
    id: 'per-message-deflate',
    title: 'per-message deflate is not accepted',
    needsBaseline: true,
    run: perMessageDeflateCheck,
  },
  {
    id: 'polling-cors',
    title: 'polling does not grant CORS to other sites',
    needsBaseline: false,
    run: pollingCorsCheck,
  },
  { id: 'no-token', title: 'no token is refused', needsBaseline: true, run: noTokenCheck },
  {
    id: 'alg-none',
    title: 'an alg: none token is refused',
    needsBaseline: true,
    run: algNoneCheck,
  },
  {
    id: 'expired-token',
    title: 'an expired token is refused',
    needsBaseline: true,
    run: expiredTokenCheck,
  },
  {
    id: 'wrong-key',
    title: 'a token signed with another key is refused',
    needsBaseline: true,
    run: wrongKeyCheck,
  },
  {
    id: 'unguarded-namespace',
    title: 'other namespaces refuse a socket without a token',
    needsBaseline: true,
    run: unguardedNamespaceCheck,
  },
  {
    id: 'oversized-payload',
    title: 'an oversized message is refused',
    needsBaseline: true,
    run: oversizedPayloadCheck,
  },
  {
    id: 'prototype-pollution',
    title: 'prototype-pollution payloads are refused',
    needsBaseline: true,
    run: prototypePollutionCheck,
  },
  {
    id: 'markup-in-array',
    title: 'markup in a sanitized field never comes back intact, in arrays too',
    needsBaseline: true,
    run: markupInArrayCheck,
  },
  {
    id: 'field-types',
    title: 'fields of another type are refused',
    needsBaseline: true,
    run: fieldTypesCheck,
  },
  {
    id: 'foreign-room',
    title: "a room the client is not in (another client's own among them) cannot be written into",
    needsBaseline: true,
    run: foreignRoomCheck,
  },
  {
    id: 'replay',
    title: 'a message sent again, or stamped long ago, is refused',
    needsBaseline: true,
    run: replayCheck,
  },
  {
    id: 'markup-bomb',
    title: 'a message full of markup does not hold other clients',
    needsBaseline: true,
    run: markupBombCheck,
  },
  {
    id: 'type-confusion',
    title: 'payloads of unexpected types are refused',
    needsBaseline: true,
    run: typeConfusionCheck,
  },
  {
    id: 'event-flood',
    title: 'a flood of one event is cut',
    needsBaseline: true,
    run: eventFloodCheck,
  },
  { id: 'logout', title: 'logout cuts every session', needsBaseline: true, run: logoutCheck },
];
