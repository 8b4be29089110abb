import { GuardError, type Packet, type PacketGuard } from '@portcullis/core';
import { cleanEveryString, cleanString, type WalkState } from './clean';
import type { PathStep } from './field-path';
import { resolveSanitizeOptions, type SanitizeGuardOptions } from './options';
import { buildPlans, type EventPlan, type FieldTarget } from './plan';
import { buildPolicies, policyNamed } from './policies';

const GUARD_NAME = 'sanitize';
const hasOwn = Object.prototype.hasOwnProperty;

type Container = Record<string | number, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof ArrayBuffer)
  );
}

/**
 * Follows `steps` from `container[key]` and sanitizes the string (or, for a deep target,
 * every string) at the end, in place. Values of another shape than the path expects
 * are left alone: checking shapes is the validation guard's job.
 */
function visit(
  container: Container,
  key: string | number,
  steps: readonly PathStep[],
  stepIndex: number,
  target: FieldTarget,
  maxDepth: number,
  state: WalkState,
): void {
  const value = container[key];
  if (stepIndex === steps.length) {
    if (typeof value === 'string') container[key] = cleanString(value, target.policy);
    else if (target.deep) cleanEveryString(container, key, target.policy, 0, maxDepth, state);
    return;
  }
  const step = steps[stepIndex] as PathStep;
  const next = stepIndex + 1;
  if (step.kind === 'key') {
    if (isPlainObject(value) && hasOwn.call(value, step.key)) {
      visit(value, step.key, steps, next, target, maxDepth, state);
    }
  } else if (step.kind === 'index') {
    if (Array.isArray(value) && step.index < value.length) {
      visit(value as unknown as Container, step.index, steps, next, target, maxDepth, state);
    }
  } else if (Array.isArray(value)) {
    // `[]` and `*` both reach every element of an array.
    for (let index = 0; index < value.length; index++) {
      visit(value as unknown as Container, index, steps, next, target, maxDepth, state);
    }
  } else if (step.kind === 'anyKey' && isPlainObject(value)) {
    for (const child in value) {
      if (hasOwn.call(value, child)) visit(value, child, steps, next, target, maxDepth, state);
    }
  }
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
  const { maxDepth } = settings;
  // Checks run synchronously, one packet at a time: one state object serves them all.
  const state: WalkState = { tooDeep: false };
  const tooDeep = new GuardError('VALIDATION_FAILED', {
    details: [{ path: '', type: 'payload.depth' }],
    message: 'The message is nested too deeply to be sanitized.',
  });

  return {
    guardName: GUARD_NAME,
    check: function sanitizePacket(_socket, packet: Packet) {
      const plan = plans.get(packet[0]) ?? otherEvents;
      if (plan.kind === 'skip') return undefined;
      const end =
        typeof packet[packet.length - 1] === 'function' ? packet.length - 1 : packet.length;
      const args = packet as unknown as Container;
      state.tooDeep = false;
      if (plan.kind === 'everyString') {
        for (let position = 1; position < end; position++) {
          cleanEveryString(args, position, plan.policy, 0, maxDepth, state);
        }
      } else {
        for (const target of plan.targets) {
          const position = target.path.argument + 1;
          if (position < end) visit(args, position, target.path.steps, 0, target, maxDepth, state);
        }
      }
      return state.tooDeep ? tooDeep : undefined;
    },
  };
}
