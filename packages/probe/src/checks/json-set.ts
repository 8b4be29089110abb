/**
 * `value` as JSON text with the field at `path` set to `json` (raw JSON text): the
 * field is replaced where it is, or added (with the objects above it) where it is not.
 * Written as text, so a large or odd value is never parsed back.
 */
export function setJson(value: unknown, path: readonly string[], json: string): string {
  const [head, ...rest] = path;
  if (head === undefined) return json;
  const record =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  const entries = Object.entries(record).map(
    ([key, item]) =>
      `${JSON.stringify(key)}:${key === head ? setJson(item, rest, json) : JSON.stringify(item)}`,
  );
  if (!Object.hasOwn(record, head)) {
    entries.push(`${JSON.stringify(head)}:${setJson(undefined, rest, json)}`);
  }
  return `{${entries.join(',')}}`;
}
