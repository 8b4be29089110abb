import { GuardError } from '../guard-error';
import type { StructureLimits } from './limits';
import { StructureViolation } from './structure';

function tooLarge(message: string, limit: string, max: number): GuardError {
  return new GuardError('PAYLOAD_TOO_LARGE', { message, info: { limit, max } });
}

function invalid(message: string, type: string): GuardError {
  return new GuardError('VALIDATION_FAILED', { message, details: [{ path: '', type }] });
}

/**
 * The errors a packet is refused with for each structure violation, indexed by
 * `StructureViolation` (`undefined` at `OK`). Built once per set of limits, so a flood of
 * bad packets costs no allocation and no stack capture per refusal, and the client gets
 * the same answer whichever guard ran the walk.
 */
export function structureRefusals(limits: StructureLimits): readonly (GuardError | undefined)[] {
  const byViolation: (GuardError | undefined)[] = [];
  byViolation[StructureViolation.OK] = undefined;
  byViolation[StructureViolation.DEPTH] = tooLarge(
    'The message is nested too deeply.',
    'maxDepth',
    limits.maxDepth,
  );
  byViolation[StructureViolation.KEYS] = tooLarge(
    'An object in the message has too many keys.',
    'maxKeys',
    limits.maxKeys,
  );
  byViolation[StructureViolation.ARRAY_LENGTH] = tooLarge(
    'An array in the message is too long.',
    'maxArrayLength',
    limits.maxArrayLength,
  );
  byViolation[StructureViolation.STRING_LENGTH] = tooLarge(
    'A string in the message is too long.',
    'maxStringLength',
    limits.maxStringLength,
  );
  byViolation[StructureViolation.ATTACHMENTS] = tooLarge(
    'The message has too many binary attachments.',
    'maxAttachments',
    limits.maxAttachments,
  );
  byViolation[StructureViolation.UNEXPECTED_BINARY] = invalid(
    'This event does not accept binary data.',
    'binary',
  );
  byViolation[StructureViolation.NON_PLAIN] = invalid(
    'The message holds a value that is not plain data.',
    'plainData',
  );
  // The same detail type as @portcullis/validate gives for these keys (with their path).
  byViolation[StructureViolation.PROTOTYPE_KEY] = invalid(
    'The message holds a __proto__ or constructor key, which the server does not accept.',
    'object.prototypeKey',
  );
  return byViolation;
}
