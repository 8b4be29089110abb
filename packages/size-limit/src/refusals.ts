import { GuardError, structureRefusals } from '@portcullis/core';
import type { ResolvedLimits } from './options';

/**
 * The errors one set of limits refuses with, built once: a flood of oversized messages
 * costs no allocation and no stack capture per refusal.
 */
export interface Refusals {
  readonly tooManyBytes: GuardError;
  /** Indexed by core's `StructureViolation`: the same answers validate and sanitize give. */
  readonly byViolation: readonly (GuardError | undefined)[];
}

export function buildRefusals(limits: ResolvedLimits): Refusals {
  return {
    tooManyBytes: new GuardError('PAYLOAD_TOO_LARGE', {
      info: { limit: 'maxBytes', max: limits.maxBytes, limitBytes: limits.maxBytes },
    }),
    byViolation: structureRefusals(limits),
  };
}
