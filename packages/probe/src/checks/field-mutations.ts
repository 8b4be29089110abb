/**
 * The mutated payloads of the `field-types` check: the user's sample payload with one
 * field replaced by a value of another type, written as JSON text so that a nested
 * `"__proto__"` key reaches the wire as written.
 */

type JsonKind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';
type PathSegment = string | number;

/** Length of the long-string variant: above any sensible field, below a 64 KiB message limit. */
const LONG_STRING_LENGTH = 16 * 1024;

interface Variant {
  /** How the report names the value, e.g. `a number`. */
  readonly label: string;
  readonly json: string;
  /** The field's own type: the variant would be no mutation of such a field. */
  readonly sameAs?: JsonKind;
}

/**
 * In the order they are sent: the plain wrong types first, so that a run cut short (a
 * mutation cap, a server that disconnects after so many refusals) still gave every
 * field the most telling ones.
 */
const VARIANTS: readonly Variant[] = [
  { label: 'a number', json: '42', sameAs: 'number' },
  { label: 'a string', json: '"portcullis-probe"', sameAs: 'string' },
  { label: 'null', json: 'null', sameAs: 'null' },
  { label: 'an object', json: '{"portcullisProbe":true}', sameAs: 'object' },
  { label: 'an array', json: '["portcullis-probe"]', sameAs: 'array' },
  { label: 'a boolean', json: 'true', sameAs: 'boolean' },
  {
    label: 'an object with "__proto__"',
    json: '{"__proto__":{"portcullisProbe":true}}',
  },
  {
    label: `a ${LONG_STRING_LENGTH / 1024} KiB string`,
    json: JSON.stringify('x'.repeat(LONG_STRING_LENGTH)),
  },
];

export interface FieldMutation {
  /** What the report shows, e.g. `meta.tag as a number`. Field names, never values. */
  readonly attempt: string;
  /** The whole payload with the field replaced, as JSON text (built when sent). */
  readonly payloadJson: () => string;
}

function kindOf(value: unknown): JsonKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' ? type : 'object';
}

/** The entries of an object or array; none for anything else. */
function childrenOf(value: unknown): [PathSegment, unknown][] {
  if (Array.isArray(value)) return value.map((item, index) => [index, item]);
  if (kindOf(value) !== 'object') return [];
  return Object.entries(value as Record<string, unknown>);
}

/** `roomId`, `meta.tag`, `items[0]`, `["odd key"]`; the payload itself when at the top. */
function labelOf(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the payload';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (!/^[A-Za-z_$][\w$-]*$/.test(segment)) return `[${JSON.stringify(segment)}]`;
      return index === 0 ? segment : `.${segment}`;
    })
    .join('');
}

/** Every field one level down at most: the top-level ones first, then those inside them. */
function fieldsOf(payload: unknown): (readonly PathSegment[])[] {
  const top = childrenOf(payload);
  if (top.length === 0)
    return kindOf(payload) === 'object' || kindOf(payload) === 'array' ? [] : [[]];
  const nested = top.flatMap(([key, value]) =>
    childrenOf(value).map(([child]): PathSegment[] => [key, child]),
  );
  return [...top.map(([key]): PathSegment[] => [key]), ...nested];
}

function valueAt(payload: unknown, path: readonly PathSegment[]): unknown {
  let value = payload;
  for (const segment of path) value = (value as Record<PathSegment, unknown>)[segment];
  return value;
}

/** `value` as JSON text with the value at `path` replaced by `replacement` (raw JSON). */
function replacedJson(value: unknown, path: readonly PathSegment[], replacement: string): string {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const items = value.map((item, index) =>
      index === head ? replacedJson(item, rest, replacement) : JSON.stringify(item),
    );
    return `[${items.join(',')}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, item]) =>
      `${JSON.stringify(key)}:${key === head ? replacedJson(item, rest, replacement) : JSON.stringify(item)}`,
  );
  return `{${entries.join(',')}}`;
}

/**
 * Up to `max` mutations of `payload`, going round the fields one variant at a time.
 * Each field gets every variant but the one of its own type; a payload that is not an
 * object or array is mutated as a whole; an empty one has nothing to mutate.
 */
export function planFieldMutations(payload: unknown, max: number): FieldMutation[] {
  // The payload as the server would parse it: plain JSON data only.
  const plain = JSON.parse(JSON.stringify(payload) ?? 'null') as unknown;
  const fields = fieldsOf(plain);
  const mutations: FieldMutation[] = [];
  for (const variant of VARIANTS) {
    for (const path of fields) {
      if (mutations.length >= max) return mutations;
      if (variant.sameAs === kindOf(valueAt(plain, path))) continue;
      mutations.push({
        attempt: `${labelOf(path)} as ${variant.label}`,
        payloadJson: () => replacedJson(plain, path, variant.json),
      });
    }
  }
  return mutations;
}
