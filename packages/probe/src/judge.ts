import type { CheckStatus, Evidence } from './report';
import type { Answer } from './wire/await-answer';
import type { Handshake } from './wire/probe-socket';

/** What a check function returns; the runner adds its id and title. */
export interface CheckOutcome {
  readonly status: CheckStatus;
  readonly summary: string;
  readonly evidence: readonly Evidence[];
}

export function notApplicable(summary: string): CheckOutcome {
  return { status: 'not-applicable', summary, evidence: [] };
}

/** Pass when every attempt was refused as it should be; else fail with the first miss. */
export function outcomeOf(
  evidence: readonly Evidence[],
  passSummary: string,
  failSummary: (miss: Evidence) => string,
): CheckOutcome {
  const miss = evidence.find((item) => !item.ok);
  return miss === undefined
    ? { status: 'pass', summary: passSummary, evidence }
    : { status: 'fail', summary: failSummary(miss), evidence };
}

function clip(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The code of a JSON refusal body (`{"code":"ORIGIN_REJECTED",…}`), if it is one. */
function bodyCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { code?: unknown };
    return typeof parsed.code === 'string' ? parsed.code : undefined;
  } catch {
    return undefined;
  }
}

/** `connected`, `AUTH_REQUIRED`, `HTTP 403`, `closed 1006`, `no answer`… */
/**
 * Why an honest connection was refused, and what to do when the refusal is the
 * server's limits counting the probe's own handshakes.
 */
export function explainHonestRefusal(handshake: Handshake): string {
  const received = describeHandshake(handshake);
  if (
    handshake.kind === 'refused' &&
    (handshake.code === 'RATE_LIMITED' || handshake.code === 'CONNECTION_LIMIT')
  ) {
    const wait =
      handshake.retryAfterMs === undefined
        ? ''
        : ` in ${Math.ceil(handshake.retryAfterMs / 1000)} s`;
    return `${received}: the server's connection limits count the probe's handshakes too; run again${wait}, or as another user (--claims)`;
  }
  return received;
}

/** The Portcullis code a handshake answer carried, if any. */
export function handshakeCode(handshake: Handshake): string | undefined {
  if (handshake.kind === 'refused') return handshake.code;
  if (handshake.kind === 'http-refused') return bodyCode(handshake.body);
  return undefined;
}

export function describeHandshake(handshake: Handshake): string {
  switch (handshake.kind) {
    case 'connected':
      return 'connected';
    case 'upgraded':
      return 'upgraded';
    case 'refused':
      return handshake.code ?? `refused: "${clip(handshake.message, 40)}"`;
    case 'http-refused': {
      const code = bodyCode(handshake.body);
      return `HTTP ${handshake.status}${code === undefined ? '' : ` ${code}`}`;
    }
    case 'closed':
      return `closed ${handshake.closeCode}`;
    case 'timeout':
      return 'no answer';
    case 'network-error':
      return `network error: ${clip(handshake.message, 40)}`;
  }
}

/** `acked`, `VALIDATION_FAILED`, `closed 1009`, `no answer`… */
export function describeAnswer(answer: Answer): string {
  switch (answer.kind) {
    case 'acked':
      return 'acked';
    case 'refused':
      return answer.code ?? `refused (${answer.via}, no code)`;
    case 'closed':
      return answer.closeCode === undefined ? 'disconnected' : `closed ${answer.closeCode}`;
    case 'silent':
      return 'no answer';
  }
}

export interface HandshakeRule {
  /** Codes that mean "refused for the reason under test". */
  readonly codes: readonly string[];
  /**
   * Whether an HTTP-level refusal (4xx before the WebSocket opens, or the connection
   * closed before any answer) counts: true for origin checks, whose guards answer there.
   */
  readonly httpRefusalCounts: boolean;
}

/** Judges one handshake that should have been refused. */
export function judgeRefusedHandshake(
  attempt: string,
  handshake: Handshake,
  rule: HandshakeRule,
  timeoutMs: number,
): Evidence {
  const received = describeHandshake(handshake);
  const code = handshakeCode(handshake);
  const base = { attempt, received, ms: handshake.ms, ...(code === undefined ? {} : { code }) };
  switch (handshake.kind) {
    case 'connected':
    case 'upgraded':
      return { ...base, ok: false, note: 'accepted' };
    case 'refused':
      if (handshake.code === undefined) {
        return { ...base, ok: true, note: 'refused without a Portcullis code' };
      }
      return rule.codes.includes(handshake.code)
        ? { ...base, ok: true }
        : {
            ...base,
            ok: false,
            note: `refused, but not for this (expected ${rule.codes.join(' or ')})`,
          };
    case 'http-refused':
      return rule.httpRefusalCounts && handshake.status >= 400 && handshake.status < 500
        ? { ...base, ok: true, note: 'refused before the handshake' }
        : { ...base, ok: false, note: 'refused at the HTTP level, which cannot tell why' };
    case 'closed':
      return rule.httpRefusalCounts
        ? { ...base, ok: true, note: 'closed before the handshake' }
        : { ...base, ok: false, note: 'closed without saying why' };
    case 'timeout':
      return { ...base, ok: false, note: `no answer within ${timeoutMs} ms` };
    case 'network-error':
      // The baseline reached the server: a dropped upgrade is the server slamming the door.
      return rule.httpRefusalCounts
        ? { ...base, ok: true, note: 'connection dropped before the handshake' }
        : { ...base, ok: false, note: 'the server could not be reached' };
  }
}

/** Judges the answer to one packet that should have been refused. */
export function judgeRefusedPacket(
  attempt: string,
  answer: Answer,
  codes: readonly string[],
  timeoutMs: number,
): Evidence {
  const received = describeAnswer(answer);
  const code = answer.kind === 'refused' ? answer.code : undefined;
  const base = { attempt, received, ms: answer.ms, ...(code === undefined ? {} : { code }) };
  switch (answer.kind) {
    case 'acked':
      return { ...base, ok: false, note: 'handled by the application' };
    case 'refused':
      if (answer.code === undefined) return { ...base, ok: true, note: 'refused without a code' };
      return codes.includes(answer.code)
        ? { ...base, ok: true }
        : {
            ...base,
            ok: false,
            note: `refused, but not for this (expected ${codes.join(' or ')})`,
          };
    case 'closed':
      return { ...base, ok: true, note: 'the server closed the connection' };
    case 'silent':
      return { ...base, ok: false, note: `neither refused nor answered within ${timeoutMs} ms` };
  }
}
