import type { ProbeContext } from '../context';
import { notApplicable, outcomeOf, type CheckOutcome } from '../judge';
import { eventFrame } from '../wire/packets';
import { packetAttempt } from './packet-attempt';
import { argumentsJson, paddedPayloadJson } from './payloads';

function formatBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

/**
 * One message of `oversizeBytes` (the whole frame) on the named event, its payload's
 * first string grown to fit. A server that reads it into a handler lets any client
 * make it hold that much memory per message.
 */
export async function oversizedPayloadCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const { event, payload, oversizeBytes, namespace } = ctx.options;
  if (event === undefined) {
    return notApplicable('needs --event: an event your server handles (with an ack, ideally)');
  }
  const bare = eventFrame(namespace, 0, argumentsJson(event, paddedPayloadJson(payload, 0)));
  const evidence = [
    await packetAttempt(
      ctx,
      `one ${formatBytes(oversizeBytes)} "${event}" message`,
      (ackId) => {
        // The ack id's digits count too: grow the padding by what the id adds.
        const extra = oversizeBytes - Buffer.byteLength(bare) - (String(ackId).length - 1);
        return [
          eventFrame(namespace, ackId, argumentsJson(event, paddedPayloadJson(payload, extra))),
        ];
      },
      ['PAYLOAD_TOO_LARGE'],
    ),
  ];
  return outcomeOf(
    evidence,
    `a ${formatBytes(oversizeBytes)} message is refused`,
    (miss) =>
      `a ${formatBytes(oversizeBytes)} message gets ${miss.received}: any client can make the server hold that much per message`,
  );
}
