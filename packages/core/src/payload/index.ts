/**
 * Payload helpers shared by the guards that read a packet's arguments: the one
 * structural walk (depth, width, length, plain data, binary, prototype keys), the mark
 * it leaves for the guards after it, the errors it refuses with, and where the
 * arguments end.
 */
export { argumentsEnd, isBinaryValue } from './arguments';
export { PayloadFeature, checkedDepthOf, payloadHas } from './checked';
export {
  DEFAULT_MAX_DEPTH,
  DEFAULT_STRUCTURE_LIMITS,
  FALLBACK_STRUCTURE_LIMITS,
  HARD_MAX_DEPTH,
  type StructureLimits,
} from './limits';
export { structureRefusals } from './refusals';
export { StructureViolation, checkPayloadStructure, ensurePayloadStructure } from './structure';
