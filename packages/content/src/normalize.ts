/** Zero-width and invisible formatting characters people insert to dodge filters. */
// Each entry is one code point removed on its own (variation selectors included), not a
// character sequence, so the combining-character warning does not apply.
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/g;
const SPACES = /\s+/g;

/**
 * The form rules compare: compatibility-normalised (`ｆｒｅｅ` → `free`, ligatures
 * split), lower-cased, invisible characters removed, runs of white space folded to
 * one space, trimmed. Two messages that read the same read the same here.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').toLowerCase().replace(SPACES, ' ').trim();
}

/** 32-bit FNV-1a of a string: a short fingerprint, never the text itself. */
export function fingerprint(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
