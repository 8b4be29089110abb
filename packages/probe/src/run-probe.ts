import { performance } from 'node:perf_hooks';
import { CHECKS } from './checks';
import { ProbeContext } from './context';
import type { CheckOutcome } from './judge';
import { resolveProbeOptions, type ProbeOptions } from './options';
import type { CheckResult, ProbeReport } from './report';
import { resolveTarget } from './target/resolve-target';
import { TokenKit } from './tokens/token-kit';

function targetLabel(url: URL, namespace: string): string {
  return `${url.origin}${namespace === '/' ? '' : namespace}`;
}

/**
 * Runs the checks against a Socket.io server you own and reports, for each, pass /
 * fail / no-answer / not-applicable with the evidence: what was sent, what the server
 * did (the outcome), and what it said. Throws `ProbeOptionsError` for bad options
 * and `TargetRefusedError` for a host that resolves to a public address (unless
 * `iOwnThisHost`), before sending anything.
 *
 * @example
 * const report = await runProbe({
 *   url: 'http://127.0.0.1:3000',
 *   origin: 'https://chat.example.com',
 *   hs256Secret: process.env.TEST_JWT_SECRET,
 *   event: 'chat:send',
 *   payload: { roomId: 'general', text: 'hi' },
 * });
 * if (!report.ok) process.exitCode = 1;
 */
export async function runProbe(options: ProbeOptions): Promise<ProbeReport> {
  const resolved = resolveProbeOptions(options);
  const target = await resolveTarget(resolved.url, resolved.iOwnThisHost);
  const ctx = new ProbeContext(resolved, target, new TokenKit(resolved));
  const startedAt = new Date();
  const started = performance.now();
  const results: CheckResult[] = [];
  let baselinePassed = true;
  try {
    for (const check of CHECKS) {
      if (!resolved.checks.has(check.id)) continue;
      let outcome: CheckOutcome;
      if (check.needsBaseline && !baselinePassed) {
        outcome = {
          status: 'not-applicable',
          summary: 'not run: an honest client could not connect (see baseline)',
          evidence: [],
        };
      } else {
        ctx.backoff.startCheck();
        try {
          outcome = await check.run(ctx);
        } catch (error) {
          // The probe's own limits or an honest connection refused: nothing was seen.
          outcome = {
            status: 'not-applicable',
            summary: `could not complete: ${error instanceof Error ? error.message : String(error)}`,
            evidence: [],
          };
        }
      }
      if (check.id === 'baseline') baselinePassed = outcome.status === 'pass';
      const result: CheckResult = { id: check.id, title: check.title, ...outcome };
      results.push(result);
      resolved.onResult?.(result);
    }
  } finally {
    ctx.closeAll();
  }
  const count = (status: CheckResult['status']): number =>
    results.filter((result) => result.status === status).length;
  const failed = count('fail');
  return {
    target: targetLabel(resolved.url, resolved.namespace),
    addresses: target.addresses.map(({ address }) => address),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    connections: { used: ctx.connectionsUsed, max: resolved.maxConnections },
    results,
    passed: count('pass'),
    failed,
    noAnswer: count('no-answer'),
    notApplicable: count('not-applicable'),
    ok: failed === 0,
  };
}
