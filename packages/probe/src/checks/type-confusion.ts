import type { ProbeContext } from '../context';
import { outcomeOf, refusals, type CheckOutcome } from '../judge';
import { binaryEventFrame, eventFrame } from '../wire/packets';
import { packetAttempt } from './packet-attempt';
import { messagePrecondition } from './payload-control';
import { argumentsJson } from './payloads';

/**
 * Packets whose decoded types are not what a handler of JSON expects: a leftover binary
 * placeholder in a text packet, an event name that is not a string (CVE-2023-32695), a
 * binary attachment (a Buffer) instead of the payload, and a forged placeholder
 * pointing at `Array.prototype.splice` (CVE-2022-2421). Each must be refused (or the
 * connection closed), never handed to the application.
 */
export async function typeConfusionCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const unmet = await messagePrecondition(ctx);
  if (unmet !== undefined) return unmet;
  const { payload, namespace } = ctx.options;
  const event = ctx.options.event as string;
  // Each CVE packet makes socket.io-parser close the connection: one ends each session.
  const evidence = [
    await packetAttempt(ctx, 'leftover placeholder {_placeholder:true}', (ackId) => [
      eventFrame(namespace, ackId, argumentsJson(event, '{"_placeholder":true,"num":0}')),
    ]),
    await packetAttempt(ctx, 'event name that is an object', (ackId) => [
      eventFrame(namespace, ackId, `[{"toString":"portcullis-probe"},${JSON.stringify(payload)}]`),
    ]),
    await packetAttempt(ctx, 'a binary attachment instead of the payload', (ackId) => [
      binaryEventFrame(namespace, ackId, 1, argumentsJson(event, '{"_placeholder":true,"num":0}')),
      Buffer.from('portcullis-probe'),
    ]),
    await packetAttempt(ctx, 'forged binary placeholder (num: "splice")', (ackId) => [
      binaryEventFrame(
        namespace,
        ackId,
        1,
        argumentsJson(event, '{"_placeholder":true,"num":"splice"}'),
      ),
      Buffer.from('portcullis-probe'),
    ]),
  ];
  return outcomeOf(evidence, {
    pass: (items) => `payloads of unexpected types were ${refusals(items)}`,
    fail: (miss) => `a payload of unexpected type (${miss.attempt}) was ${miss.received}`,
  });
}
