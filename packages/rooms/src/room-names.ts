/**
 * Room names the guard accepts: printable ASCII letters, digits and `_ . : @ -`, no
 * `..`, at most `maxLength` characters. Anything else (a `*`, a path, a look-alike
 * letter from another script, a 10 KB name) is refused before any rule is read, so a
 * pattern can only ever match names of this alphabet and cannot be widened by them.
 */
const ROOM_NAME = /^[A-Za-z0-9_.:@-]+$/;

export const DEFAULT_MAX_ROOM_NAME_LENGTH = 128;

export function isValidRoomName(value: unknown, maxLength: number): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= maxLength &&
    ROOM_NAME.test(value) &&
    !value.includes('..')
  );
}

/** A compiled room pattern: `doc:*` matches `doc:42`, never `doc:42:x` or `doc:`. */
export interface RoomPattern {
  readonly source: string;
  matches(room: string): boolean;
}

const PATTERN = /^[A-Za-z0-9_.:@*-]+$/;

/**
 * Compiles a pattern where `*` stands for one segment: one or more characters of the
 * room alphabet except `:`. Throws on a pattern that could match outside the alphabet.
 */
export function compileRoomPattern(source: string): RoomPattern {
  if (!PATTERN.test(source) || source.includes('..') || source.includes('**')) {
    throw new TypeError(
      `room pattern "${source}" may hold letters, digits, _ . : @ - and * (one segment) only.`,
    );
  }
  if (!source.includes('*')) return { source, matches: (room) => room === source };
  const escaped = source
    .split('*')
    .map((part) => part.replace(/[.]/g, '\\.'))
    .join('[A-Za-z0-9_.@-]+');
  const regex = new RegExp(`^${escaped}$`);
  return { source, matches: (room) => regex.test(room) };
}
