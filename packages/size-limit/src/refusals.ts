import { GuardError } from '@portcullis/core';
import type { ResolvedLimits } from './options';
import { Violation } from './structure';

/**
 * The errors one set of limits refuses with, built once: a flood of oversized messages
 * costs no allocation and no stack capture per refusal.
 */
export interface Refusals {
  readonly tooManyBytes: GuardError;
  /** Indexed by `Violation`. */
  readonly byViolation: readonly (GuardError | undefined)[];
}

function tooLarge(message: string, limit: string, max: number): GuardError {
  return new GuardError('PAYLOAD_TOO_LARGE', { message, info: { limit, max } });
}

function invalid(message: string, type: string): GuardError {
  return new GuardError('VALIDATION_FAILED', { message, details: [{ path: '', type }] });
}

export function buildRefusals(limits: ResolvedLimits): Refusals {
  const byViolation: (GuardError | undefined)[] = [];
  byViolation[Violation.OK] = undefined;
  byViolation[Violation.DEPTH] = tooLarge(
    'The message is nested too deeply.',
    'maxDepth',
    limits.maxDepth,
  );
  byViolation[Violation.KEYS] = tooLarge(
    'An object in the message has too many keys.',
    'maxKeys',
    limits.maxKeys,
  );
  byViolation[Violation.ARRAY_LENGTH] = tooLarge(
    'An array in the message is too long.',
    'maxArrayLength',
    limits.maxArrayLength,
  );
  byViolation[Violation.STRING_LENGTH] = tooLarge(
    'A string in the message is too long.',
    'maxStringLength',
    limits.maxStringLength,
  );
  byViolation[Violation.ATTACHMENTS] = tooLarge(
    'The message has too many binary attachments.',
    'maxAttachments',
    limits.maxAttachments,
  );
  byViolation[Violation.UNEXPECTED_BINARY] = invalid(
    'This event does not accept binary data.',
    'binary',
  );
  byViolation[Violation.NON_PLAIN] = invalid(
    'The message holds a value that is not plain data.',
    'plainData',
  );
  byViolation[Violation.EVENT_NAME] = invalid('The event name is not valid.', 'eventName');
  // The same detail type as @portcullis/validate gives for these keys.
  byViolation[Violation.PROTOTYPE_KEY] = invalid(
    'The message holds a __proto__ or constructor key, which the server does not accept.',
    'object.prototypeKey',
  );
  return {
    tooManyBytes: new GuardError('PAYLOAD_TOO_LARGE', {
      info: { limit: 'maxBytes', max: limits.maxBytes, limitBytes: limits.maxBytes },
    }),
    byViolation,
  };
}
