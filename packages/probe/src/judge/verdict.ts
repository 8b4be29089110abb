import type { CheckStatus, Evidence } from '../report';
import { isPortcullisCode } from './codes';

/** What a check function returns; the runner adds its id and title. */
export interface CheckOutcome {
  readonly status: CheckStatus;
  readonly summary: string;
  readonly evidence: readonly Evidence[];
}

export function notApplicable(summary: string, evidence: readonly Evidence[] = []): CheckOutcome {
  return { status: 'not-applicable', summary, evidence };
}

/** Worst first: one failure fails the check; a timeout leaves it open; then "cannot judge". */
const SEVERITY: readonly CheckStatus[] = ['fail', 'no-answer', 'not-applicable', 'pass'];

/** The status of a check from its attempts' verdicts: the worst of them. */
export function worstVerdict(evidence: readonly Evidence[]): CheckStatus {
  return SEVERITY.find((status) => evidence.some((item) => item.verdict === status)) ?? 'pass';
}

/** `refused with AUTH_INVALID` for a Portcullis code, else `refused: connect_error 'UNAUTHORIZED'`. */
export function refusalPhrase(item: Evidence): string {
  if (isPortcullisCode(item.code) && item.received === item.code)
    return `refused with ${item.code}`;
  return item.outcome === 'disconnected' ? `cut (${item.received})` : `refused: ${item.received}`;
}

/** How the refusals of a check went, for its pass summary: `refused with X; refused: Y`. */
export function refusals(evidence: readonly Evidence[]): string {
  return [...new Set(evidence.map(refusalPhrase))].join('; ');
}

export interface Summaries {
  /** All attempts refused. */
  readonly pass: (evidence: readonly Evidence[]) => string;
  /** The first attempt that was accepted. */
  readonly fail: (miss: Evidence) => string;
}

function openSummary(item: Evidence): string {
  return `${item.attempt}: ${item.received}${item.note === undefined ? '' : ` (${item.note})`}`;
}

/**
 * The check's outcome from its evidence: failed when any attempt was accepted (the
 * summary says what was seen), `no-answer` when one got nothing in time, not
 * applicable when one could not be judged, else passed.
 */
export function outcomeOf(evidence: readonly Evidence[], summaries: Summaries): CheckOutcome {
  const status = worstVerdict(evidence);
  const first = evidence.find((item) => item.verdict === status);
  switch (status) {
    case 'pass':
      return { status, summary: summaries.pass(evidence), evidence };
    case 'fail':
      return { status, summary: summaries.fail(first as Evidence), evidence };
    case 'no-answer':
      return { status, summary: `no answer: ${openSummary(first as Evidence)}`, evidence };
    case 'not-applicable':
      return { status, summary: `cannot judge: ${openSummary(first as Evidence)}`, evidence };
  }
}
