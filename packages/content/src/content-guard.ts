import {
  GuardError,
  PACKET_HANDLED,
  getContext,
  recordSocketEvent,
  refusePacket,
  settingsOf,
  valueAtLocation,
  withinDeadline,
  type AnySocket,
  type Packet,
  type PacketLocation,
  type PacketGuard,
  type PacketVerdict,
} from '@portcullis/core';
import { compileRules, type CompiledRules } from './compile-rules';
import { normalizeText } from './normalize';
import { checkContentOptions, type ContentGuardOptions } from './options';
import { DuplicateTracker } from './rules/duplicates';
import { senderKey, type ContentReason, type RuleAction } from './rules/shapes';
import { capitals, countLinks, countMentions, longestRun } from './rules/text-rules';

export const CONTENT_GUARD_NAME = 'content';

/** The content guard, plus what an operator may want to look at. */
export interface ContentGuard extends PacketGuard {
  /** Senders whose recent message fingerprints are held in memory. */
  readonly trackedSenders: number;
}

interface EventPlan {
  readonly fields: readonly PacketLocation[];
  readonly rules: CompiledRules;
}

const REASONS: readonly ContentReason[] = [
  'duplicate',
  'links',
  'mentions',
  'repetition',
  'caps',
  'blocked',
  'custom',
];

/**
 * Content rules on the strings of chosen events: the same message again and again,
 * too many links or mentions, one character repeated, shouting, blocked words, and your
 * own check. Each rule refuses (`CONTENT_REJECTED`, with `info.reason`) or only flags
 * (a `suspicious` security event, the message goes through), so operators can measure
 * before they refuse. Text is compared normalised (compatibility forms, case, invisible
 * characters, white space); duplicates are kept as fingerprints, never as text.
 *
 * @example
 * usePacketGuards(io, contentGuard({
 *   fields: { 'chat:send': ['text'] },
 *   rules: { links: { max: 2, allowHosts: ['example.com'] }, blocklist: { entries: ['free money'] } },
 * }));
 */
export function contentGuard(options: Readonly<ContentGuardOptions>): ContentGuard {
  checkContentOptions(options);
  const defaults = options.rules ?? {};
  const plans = new Map<string, EventPlan>();
  for (const [event, fields] of Object.entries(options.fields)) {
    const rules = { ...defaults, ...(options.events?.[event] ?? {}) };
    plans.set(event, {
      fields: fields.map((where) => (typeof where === 'number' ? where : where.split('.'))),
      rules: compileRules(rules),
    });
  }
  const tracker = new DuplicateTracker(16, options.maxTrackedSenders ?? 50_000);
  const refusals = new Map<ContentReason, GuardError>(
    REASONS.map((reason) => [reason, new GuardError('CONTENT_REJECTED', { info: { reason } })]),
  );

  /** A rule matched: the refusal to answer with, or `undefined` once flagged. */
  function matched(
    socket: AnySocket,
    event: string,
    reason: ContentReason,
    action: RuleAction,
  ): ContentReason | undefined {
    if (action === 'refuse') return reason;
    recordSocketEvent(socket, 'suspicious', {
      code: 'CONTENT_REJECTED',
      event,
      guard: CONTENT_GUARD_NAME,
      detail: { reason, action: 'flag' },
    });
    return undefined;
  }

  /** The synchronous rules on one string; the reason to refuse, if any. */
  function judge(
    socket: AnySocket,
    event: string,
    text: string,
    rules: CompiledRules,
  ): ContentReason | undefined {
    const hit = (reason: ContentReason, action: RuleAction) =>
      matched(socket, event, reason, action);
    let reason: ContentReason | undefined;
    if (rules.repetition !== undefined && longestRun(text) > rules.repetition.maxRun) {
      reason ??= hit('repetition', rules.repetition.action);
    }
    if (rules.caps !== undefined) {
      const { share, letters } = capitals(text);
      if (letters >= rules.caps.minLetters && share > rules.caps.maxShare) {
        reason ??= hit('caps', rules.caps.action);
      }
    }
    const normalized = normalizeText(text);
    if (
      rules.links !== undefined &&
      countLinks(normalized, rules.links.allowHosts) > rules.links.max
    ) {
      reason ??= hit('links', rules.links.action);
    }
    if (rules.mentions !== undefined && countMentions(normalized) > rules.mentions.max) {
      reason ??= hit('mentions', rules.mentions.action);
    }
    if (rules.blocklist !== undefined && rules.blocklist.list.matches(normalized)) {
      reason ??= hit('blocked', rules.blocklist.action);
    }
    // Last, so a refused message is not remembered as sent.
    if (reason === undefined && rules.duplicates !== undefined) {
      const now = settingsOf(socket).now();
      const seen = tracker.count(senderKey(socket), normalized, now, rules.duplicates.withinMs);
      if (seen > rules.duplicates.max) reason = hit('duplicate', rules.duplicates.action);
    }
    return reason;
  }

  function refuse(socket: AnySocket, packet: Packet, reason: ContentReason): typeof PACKET_HANDLED {
    refusePacket(socket, packet, refusals.get(reason) as GuardError, CONTENT_GUARD_NAME, {
      reason,
    });
    return PACKET_HANDLED;
  }

  /** Your own check on every string, within its deadline. */
  async function custom(
    socket: AnySocket,
    packet: Packet,
    event: string,
    texts: readonly string[],
    rules: NonNullable<CompiledRules['custom']>,
  ): Promise<PacketVerdict> {
    const context = getContext(socket);
    for (const text of texts) {
      let rejected: boolean;
      try {
        rejected = await withinDeadline(
          Promise.resolve(rules.rejects(text, context)),
          rules.timeoutMs,
          () => new Error('the content check timed out'),
        );
      } catch (error) {
        if (rules.onError === 'allow') {
          recordSocketEvent(socket, 'warning', {
            event,
            guard: CONTENT_GUARD_NAME,
            detail: { reason: 'custom-check-failed', policy: 'allow' },
          });
          continue;
        }
        return new GuardError('INTERNAL', { cause: error });
      }
      if (rejected === true && matched(socket, event, 'custom', rules.action) !== undefined) {
        return refuse(socket, packet, 'custom');
      }
    }
    return undefined;
  }

  return {
    guardName: CONTENT_GUARD_NAME,
    check(socket: AnySocket, packet: Packet): PacketVerdict | Promise<PacketVerdict> {
      const name = packet[0];
      const event = typeof name === 'string' ? name : String(name);
      const plan = plans.get(event);
      if (plan === undefined) return undefined;
      let texts: string[] | undefined;
      for (const where of plan.fields) {
        const value = valueAtLocation(packet, where);
        if (typeof value !== 'string' || value.length === 0) continue;
        const reason = judge(socket, event, value, plan.rules);
        if (reason !== undefined) return refuse(socket, packet, reason);
        if (plan.rules.custom !== undefined) (texts ??= []).push(value);
      }
      if (texts === undefined || plan.rules.custom === undefined) return undefined;
      return custom(socket, packet, event, texts, plan.rules.custom);
    },
    get trackedSenders() {
      return tracker.trackedSenders;
    },
  };
}
