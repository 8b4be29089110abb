import type { ProbeContext } from '../context';
import { notApplicable, outcomeOf, type CheckOutcome } from '../judge';
import { eventFrame } from '../wire/packets';
import { packetAttempt } from './packet-attempt';
import { argumentsJson, withEntryJson } from './payloads';

const CODES = ['VALIDATION_FAILED'];
const MARK = '{"portcullisProbe":true}';

/**
 * The example payload with an own `__proto__` key (what `JSON.parse` makes of one) and
 * with `constructor.prototype`: merged into an object by the handler, either reaches
 * `Object.prototype` and changes every object of the process.
 */
export async function prototypePollutionCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const { event, payload, namespace } = ctx.options;
  if (event === undefined) {
    return notApplicable('needs --event: an event your server handles (with an ack, ideally)');
  }
  const attempts: [string, string][] = [
    ['"__proto__" key', `"__proto__":${MARK}`],
    ['"constructor": { "prototype" }', `"constructor":{"prototype":${MARK}}`],
  ];
  const evidence = [];
  for (const [attempt, entry] of attempts) {
    evidence.push(
      await packetAttempt(
        ctx,
        attempt,
        (ackId) => [
          eventFrame(namespace, ackId, argumentsJson(event, withEntryJson(payload, entry))),
        ],
        CODES,
      ),
    );
  }
  return outcomeOf(
    evidence,
    'prototype-pollution payloads are refused',
    (miss) => `a ${miss.attempt} payload gets ${miss.received}: it reaches the handler`,
  );
}
