// Small statistics helpers.
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function median(values) {
  const finite = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const middle = finite.length >> 1;
  return finite.length % 2 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2;
}

export function spread(values) {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return [NaN, NaN];
  return [Math.min(...finite), Math.max(...finite)];
}

export function sortedLatencies(samples, count) {
  return Array.from(samples.subarray(0, count)).sort((a, b) => a - b);
}
