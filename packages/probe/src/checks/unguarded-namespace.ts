import { answerLimit, retryWhileLimited, withBackoffNote } from '../backoff';
import type { ProbeContext } from '../context';
import { judgeHandshake, judgePacket, outcomeOf, refusals, type CheckOutcome } from '../judge';
import type { Evidence } from '../report';
import { eventFrame } from '../wire/packets';
import { exchange } from './packet-attempt';
import { argumentsJson } from './payloads';

/** What Socket.io itself answers for a namespace the server does not have. */
const NO_SUCH_NAMESPACE = 'Invalid namespace';

/**
 * One handshake to `namespace` from the allowed Origin without a token; when it gets
 * in, the payload on `--event` with an ack, to show whether handlers answer there too.
 */
async function namespaceAttempt(
  ctx: ProbeContext,
  namespace: string,
  given: boolean,
): Promise<Evidence[]> {
  const { origin, event, payload, timeoutMs } = ctx.options;
  const { result: handshake, backoff } = await ctx.connectRetried({
    origin,
    namespace,
    token: undefined,
  });
  const attempt = `${namespace} without a token`;
  if (
    handshake.kind === 'refused' &&
    handshake.code === undefined &&
    handshake.message === NO_SUCH_NAMESPACE
  ) {
    const row = withBackoffNote(judgeHandshake(attempt, handshake, timeoutMs), backoff);
    return [
      given
        ? { ...row, verdict: 'not-applicable', note: 'no such namespace: check --namespaces' }
        : { ...row, note: 'no such namespace' },
    ];
  }
  const rows = [withBackoffNote(judgeHandshake(attempt, handshake, timeoutMs), backoff)];
  if (handshake.kind !== 'connected') return rows;
  const { socket } = handshake;
  try {
    if (event !== undefined) {
      const sent = await retryWhileLimited(
        ctx.backoff,
        () =>
          exchange(ctx, socket, (ackId) => [
            eventFrame(namespace, ackId, argumentsJson(event, JSON.stringify(payload))),
          ]),
        answerLimit,
        () => ctx.usable(socket),
      );
      const row = judgePacket(`"${event}" on ${namespace} without a token`, sent.result, timeoutMs);
      rows.push(withBackoffNote(row, sent.backoff));
    }
  } finally {
    socket.close();
  }
  return rows;
}

/**
 * Namespaces other than the main one, without a token: the ones given
 * (`--namespaces`) and a few guesses (`/admin`, `/internal`). Guards installed on the
 * main namespace only (`io.use`) do nothing for `io.of('/admin')`, and a socket that
 * gets in there hears its broadcasts and reaches its handlers. A socket that connects
 * fails the check, as on the main namespace; whether its message was acked there too
 * is in the evidence. A namespace the server does not have is refused by Socket.io.
 */
export async function unguardedNamespaceCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const { given, guessed } = ctx.options.namespaces;
  const evidence: Evidence[] = [];
  for (const namespace of [...given, ...guessed]) {
    evidence.push(...(await namespaceAttempt(ctx, namespace, given.includes(namespace))));
  }
  return outcomeOf(evidence, {
    pass: (items) => `no other namespace let a socket in without a token (${refusals(items)})`,
    fail: (miss) => {
      const namespace = miss.attempt.split(' ')[0] as string;
      const message = evidence.find(
        (item) => item.attempt.endsWith(` on ${namespace} without a token`) && item !== miss,
      );
      const acked =
        message?.outcome === 'acked' ? `, and its ${message.attempt.split(' ')[0]} was acked` : '';
      return `a socket without a token ${miss.received} to ${namespace}${acked}`;
    },
  });
}
