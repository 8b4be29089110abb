export { validateGuard } from './validate-guard';
export { validateGuardOptionsSpec, type ValidateGuardOptions } from './options';
export {
  validateSchemasSpec,
  type ArgumentSchema,
  type EventSchema,
  type ValidateSchemas,
} from './compile-schemas';
export {
  fileType,
  fileTypeKindsSpec,
  detectFileType,
  FILE_KINDS,
  type FileKind,
} from './file-type';
