export { validateGuard } from './validate-guard';
export type { ValidateGuardOptions } from './options';
export type { ArgumentSchema, EventSchema, ValidateSchemas } from './compile-schemas';
export { fileType, detectFileType, FILE_KINDS, type FileKind } from './file-type';
