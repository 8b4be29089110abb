import type { ProbeContext } from '../context';
import { outcomeOf, refusals, type CheckOutcome } from '../judge';
import { eventFrame } from '../wire/packets';
import { packetAttempt } from './packet-attempt';
import { messagePrecondition } from './payload-control';
import { argumentsJson, withEntryJson } from './payloads';

const MARK = '{"portcullisProbe":true}';

/**
 * The example payload with an own `__proto__` key (what `JSON.parse` makes of one) and
 * with `constructor.prototype`: merged into an object by the handler, either reaches
 * `Object.prototype` and changes every object of the process.
 */
export async function prototypePollutionCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const unmet = await messagePrecondition(ctx);
  if (unmet !== undefined) return unmet;
  const { payload, namespace } = ctx.options;
  const event = ctx.options.event as string;
  const attempts: [string, string][] = [
    ['"__proto__" key', `"__proto__":${MARK}`],
    ['"constructor": { "prototype" }', `"constructor":{"prototype":${MARK}}`],
  ];
  const evidence = [];
  for (const [attempt, entry] of attempts) {
    evidence.push(
      await packetAttempt(ctx, attempt, (ackId) => [
        eventFrame(namespace, ackId, argumentsJson(event, withEntryJson(payload, entry))),
      ]),
    );
  }
  return outcomeOf(evidence, {
    pass: (items) => `prototype-pollution payloads were ${refusals(items)}`,
    fail: (miss) => `a payload with a ${miss.attempt} was ${miss.received}`,
  });
}
