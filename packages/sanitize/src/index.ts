export { sanitizeGuard } from './sanitize-guard';
export { sanitizeGuardOptionsSpec, type SanitizeGuardOptions } from './options';
export type { FieldRule } from './plan';
export type { MarkupBudgetOptions } from './markup-budget';
export {
  PRESET_NAMES,
  type PresetName,
  type SanitizeHtmlOptions,
  type SanitizeMode,
} from './policies';
export type { DescribableSchema, MarkedArgumentSchema, MarkedEventSchema } from './schema-marks';
