import {
  FALLBACK_STRUCTURE_LIMITS,
  GuardError,
  StructureViolation,
  argumentsEnd,
  ensurePayloadStructure,
  structureRefusals,
  type Packet,
  type PacketGuard,
} from '@portcullis/core';
import { collectEveryString } from './clean';
import { MarkupQueue, type Container } from './markup-queue';
import { resolveSanitizeOptions, type SanitizeGuardOptions } from './options';
import { buildPlans, type EventPlan } from './plan';
import { buildPolicies, policyNamed } from './policies';
import { collectField } from './walk-fields';

const GUARD_NAME = 'sanitize';

/**
 * What the guard answers when it ran core's structure walk itself (no size-limit guard
 * in front): the same errors size-limit gives, with the fallback's limits.
 */
const fallbackRefusals = structureRefusals(FALLBACK_STRUCTURE_LIMITS);

/**
 * Plans are keyed by string, but Socket.io also accepts a number as an event name
 * (`42[1,…]`) and runs the listener registered as `'1'`: look it up as that string.
 * The usual string name is used as is, without allocating.
 */
function planKey(name: unknown): string {
  return typeof name === 'string' ? name : String(name);
}

/**
 * Sanitizes the strings of each packet with sanitize-html before the handler runs,
 * changing the arguments in place, so whatever the handler stores or sends on is clean.
 *
 * Choose the strings per event with field paths (`fields`), with joi schemas whose
 * fields are marked `.meta({ sanitize: 'basic' })` (`schemas`), or let the default
 * sanitize every string of events named in neither. Install it after the validation
 * guard: `usePacketGuards(io, validateGuard(schemas), sanitizeGuard({ schemas }))`.
 *
 * @example
 * usePacketGuards(io, sanitizeGuard({
 *   preset: 'basic',
 *   fields: { 'chat:send': ['message'], 'board:post': { title: 'text', 'items[].body': 'basic' } },
 * }));
 */
export function sanitizeGuard(options: Readonly<SanitizeGuardOptions> = {}): PacketGuard {
  const settings = resolveSanitizeOptions(options);
  const policies = buildPolicies(options.policies, settings.mode);
  const preset = policyNamed(policies, settings.presetName, 'preset');
  const plans = buildPlans({ fields: options.fields, schemas: options.schemas, policies, preset });
  const otherEvents: EventPlan = settings.skipOtherEvents
    ? { kind: 'skip' }
    : { kind: 'everyString', policy: preset };
  const budget = settings.markupBudget;
  const overBudget = new GuardError('PAYLOAD_TOO_LARGE', {
    message:
      'The message carries more markup (HTML tags or entities) than is sanitized in one message; send less of it, or split it.',
    info: budget === undefined ? undefined : { ...budget },
  });
  // Checks run synchronously, one packet at a time: one queue serves them all.
  const queue = new MarkupQueue(budget, overBudget);

  return {
    guardName: GUARD_NAME,
    check: function sanitizePacket(_socket, packet: Packet) {
      const plan = plans.get(planKey(packet[0])) ?? otherEvents;
      if (plan.kind === 'skip') return undefined;
      // Every-string walks and deep marks recurse as deep as the payload goes: bounded
      // by size-limit's structure walk, or by one here with core's fallback limits.
      // Field paths go no deeper than their steps and need neither.
      if (plan.kind === 'everyString' || plan.deep) {
        const violation = ensurePayloadStructure(packet, FALLBACK_STRUCTURE_LIMITS);
        if (violation !== StructureViolation.OK) return fallbackRefusals[violation];
      }
      const end = argumentsEnd(packet);
      const args = packet as unknown as Container;
      // First find the strings and weigh their markup, then sanitize: a packet refused
      // here (a non-string at a text field, over the markup budget) has cost no
      // sanitize-html call at all.
      queue.begin();
      if (plan.kind === 'everyString') {
        for (let position = 1; position < end && queue.refusal === undefined; position++) {
          collectEveryString(args, position, plan.policy, queue);
        }
      } else {
        for (const target of plan.targets) {
          const position = target.path.argument + 1;
          if (position < end) collectField(args, position, target.path.steps, 0, target, queue);
          if (queue.refusal !== undefined) break;
        }
      }
      const refusal = queue.refusal;
      if (refusal !== undefined) {
        queue.release();
        return refusal;
      }
      queue.cleanAll();
      return undefined;
    },
  };
}
