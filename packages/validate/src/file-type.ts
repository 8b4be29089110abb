import Joi from 'joi';
import { checkOptions, opt, type OptionSpec } from '@portcullis/core';

/**
 * File types recognised by their first bytes (magic numbers), never by a name or a
 * declared content type, which the sender chooses freely.
 */
export const FILE_KINDS = ['png', 'jpeg', 'gif', 'webp', 'pdf'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  for (let index = 0; index < signature.length; index++) {
    if (bytes[offset + index] !== signature[index]) return false;
  }
  return true;
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const GIF87A = [0x47, 0x49, 0x46, 0x38, 0x37, 0x61];
const GIF89A = [0x47, 0x49, 0x46, 0x38, 0x39, 0x61];
const RIFF = [0x52, 0x49, 0x46, 0x46];
const WEBP = [0x57, 0x45, 0x42, 0x50];
const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d];

/** The kind of file `bytes` starts like, or `undefined` when it is none of `FILE_KINDS`. */
export function detectFileType(bytes: Uint8Array): FileKind | undefined {
  if (startsWith(bytes, PNG)) return 'png';
  if (startsWith(bytes, JPEG)) return 'jpeg';
  if (startsWith(bytes, GIF89A) || startsWith(bytes, GIF87A)) return 'gif';
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return 'webp';
  if (startsWith(bytes, PDF)) return 'pdf';
  return undefined;
}

/** What `fileType(kinds)` takes: a non-empty list of `FILE_KINDS`. */
export const fileTypeKindsSpec: OptionSpec = opt.array(opt.oneOf(FILE_KINDS), { minLength: 1 });

/** The argument, checked as `kinds` so errors read `fileType: kinds[1]: …`. */
const fileTypeArgumentSpec = opt.object({ kinds: opt.required(fileTypeKindsSpec) });

/**
 * A joi schema for a binary attachment whose bytes must be one of `kinds`, e.g.
 * `{ 'avatar:upload': Joi.object({ name: Joi.string(), data: fileType(['png', 'jpeg']).max(2e6) }) }`.
 * A refusal has the type `binary.fileType`. Put it at the event and argument (or
 * field) that carries the file; the rest of the schema is yours.
 */
export function fileType(kinds: readonly FileKind[]): Joi.BinarySchema {
  checkOptions(fileTypeArgumentSpec, { kinds }, 'fileType');
  const allowed = new Set<FileKind>(kinds);
  const list = kinds.join(', ');
  return Joi.binary()
    .custom((value: Buffer, helpers) => {
      const kind = detectFileType(value);
      if (kind === undefined || !allowed.has(kind)) {
        return helpers.error('binary.fileType', { kinds: list });
      }
      return value;
    }, 'file type by magic number')
    .messages({ 'binary.fileType': '{{#label}} must be a file of type {{#kinds}}' });
}
