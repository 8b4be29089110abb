import { ORIGIN, clientAddress, signToken } from '../identity';
import { decodeMessage } from '../wire/decode';
import { refusalsIn, type Refusal } from '../wire/refusals';
import { WireClient, type ServerFrame } from '../wire/wire-client';
import { TOKEN, type FuzzCase, type FuzzFrame } from './arbitraries';

/** What one case led to, as the fuzzing client saw it. */
export interface CaseOutcome {
  /** `connected`, `refused` (CONNECT_ERROR), `no answer`, or how the upgrade failed. */
  readonly handshake: string;
  readonly refusals: readonly Refusal[];
  /** Refusals whose code is not documented: must stay empty. */
  readonly undocumented: readonly Refusal[];
  /** Every frame the server sent (pings answered are left out). */
  readonly frames: readonly ServerFrame[];
  /** How the connection ended, if the server ended it. */
  readonly closedBy: string | undefined;
}

export interface RunCaseOptions {
  /** Distinct per case: the client's address and user id derive from it. */
  readonly index: number;
  /** Silence that ends the case, once everything is sent. Default 60 ms. */
  readonly quietMs?: number;
  /** Longest wait for replies. Default 1.5 s. */
  readonly maxWaitMs?: number;
}

function withToken(frame: FuzzFrame, token: string): FuzzFrame {
  return frame.kind === 'text'
    ? { kind: 'text', data: frame.data.split(TOKEN).join(token) }
    : frame;
}

function sendFrame(client: WireClient, frame: FuzzFrame): void {
  client.send(frame.data, frame.kind === 'binary' ? 'binary' : 'text');
}

/**
 * Plays one case against a server: opens a WebSocket as a new client address, joins
 * (or not) as the case says, sends the frames, waits for the server to go quiet, and
 * reads every refusal in what came back.
 */
export async function runCase(
  url: string,
  fuzzCase: FuzzCase,
  options: RunCaseOptions,
): Promise<CaseOutcome> {
  const { index, quietMs = 60, maxWaitMs = 1500 } = options;
  const token = await signToken(`fuzz-${process.pid}-${index}`);
  let client: WireClient;
  try {
    client = await WireClient.open(url, { origin: ORIGIN, forwardedFor: clientAddress(index) });
  } catch (error) {
    const handshake = error instanceof Error ? error.message : String(error);
    return { handshake, refusals: [], undocumented: [], frames: [], closedBy: undefined };
  }
  try {
    let handshake = 'none';
    if (fuzzCase.handshake.kind === 'valid') {
      client.send(`40{"token":"${token}"}`);
      const answer = await client
        .next((frame) => frame.text.startsWith('40') || frame.text.startsWith('44'), 5000)
        .catch(() => undefined);
      handshake =
        answer === undefined ? 'no answer' : answer.text.startsWith('40') ? 'connected' : 'refused';
    } else if (fuzzCase.handshake.kind === 'raw') {
      sendFrame(client, withToken(fuzzCase.handshake.frame, token));
      handshake = 'raw';
    }
    for (const frame of fuzzCase.frames) sendFrame(client, withToken(frame, token));
    await client.settle(quietMs, maxWaitMs);
    const refusals: Refusal[] = [];
    for (const frame of client.frames) {
      if (frame.binary) continue;
      const packet = decodeMessage(frame.text);
      if (packet !== undefined) refusals.push(...refusalsIn(packet));
    }
    return {
      handshake,
      refusals,
      undocumented: refusals.filter((refusal) => !refusal.documented),
      frames: [...client.frames],
      closedBy:
        client.closeInfo === undefined
          ? undefined
          : `${client.closeInfo.code} ${client.closeInfo.reason}`.trim(),
    };
  } finally {
    client.terminate();
  }
}
