import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { withBackoffNote } from '../backoff';
import type { ProbeContext } from '../context';
import { judgeHandshake, notApplicable, outcomeOf, type CheckOutcome } from '../judge';
import type { Evidence } from '../report';
import { refusalCode } from '../wire/await-answer';
import type { ProbeSocket } from '../wire/probe-socket';

interface Watched {
  readonly socket: ProbeSocket;
  code: string | undefined;
  cutAfterMs: number | undefined;
}

/** Calls the user's logout hook (a callback, or a POST to their logout URL). */
async function logOut(ctx: ProbeContext, token: string): Promise<Evidence> {
  const { logout, logoutUrl, origin } = ctx.options;
  const started = performance.now();
  if (logout !== undefined) {
    try {
      await logout(token);
      return {
        attempt: 'logout callback',
        received: 'done',
        ms: Math.round(performance.now() - started),
        verdict: 'pass',
      };
    } catch (error) {
      return {
        attempt: 'logout callback',
        received: 'threw',
        verdict: 'not-applicable',
        note: error instanceof Error ? error.message : String(error),
      };
    }
  }
  const url = logoutUrl as URL;
  const exchange = await ctx.http(url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Origin: origin,
      ...(ctx.cookies === undefined ? {} : { Cookie: ctx.cookies }),
    },
    body: JSON.stringify({ token }),
  });
  const ok = exchange.status >= 200 && exchange.status < 300;
  return {
    attempt: `POST ${url.pathname}`,
    received: `HTTP ${exchange.status}`,
    ms: exchange.ms,
    verdict: ok ? 'pass' : 'not-applicable',
    ...(ok ? {} : { note: 'the logout itself failed' }),
  };
}

/**
 * Opens `sessions` honest sockets of one sign-in (each with its own token when the
 * probe makes them), logs out with the first token through the user's hook, and
 * expects every socket to be cut and that token refused at the next handshake. Runs
 * last: the user is logged out afterwards.
 */
export async function logoutCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const { logout, logoutUrl, sessions, timeoutMs, disconnectEvent } = ctx.options;
  if (logout === undefined && logoutUrl === undefined) {
    return notApplicable(
      'needs a way to log out: --logout-url (POST with the token) or a logout callback',
    );
  }
  const tokens: string[] = [];
  for (let i = 0; i < sessions; i++) {
    const token = await ctx.tokens.sessionToken();
    if (token === undefined) {
      return notApplicable('needs a token to log out: --token or --hs256-secret');
    }
    tokens.push(token);
  }
  const watched: Watched[] = [];
  let hookStarted = 0;
  for (const token of tokens) {
    const socket = await ctx.honestSocket(token);
    const entry: Watched = { socket, code: undefined, cutAfterMs: undefined };
    socket.on('event', (name, args) => {
      if (name === disconnectEvent) entry.code = refusalCode(args[0]);
    });
    socket.once('close', () => {
      // A socket closed before the logout was not cut by it: no time to report.
      if (hookStarted > 0) entry.cutAfterMs = Math.round(performance.now() - hookStarted);
    });
    watched.push(entry);
  }

  hookStarted = performance.now();
  const hook = await logOut(ctx, tokens[0] as string);
  const evidence: Evidence[] = [hook];
  if (hook.verdict !== 'pass') {
    return notApplicable(
      `the logout hook failed (${hook.received}): fix it to run this check`,
      evidence,
    );
  }
  const deadline = performance.now() + timeoutMs;
  while (watched.some(({ socket }) => !socket.closed) && performance.now() < deadline) {
    await delay(10);
  }
  watched.forEach((entry, index) => {
    const closed = entry.socket.closed;
    // Closed before the logout (cutAfterMs unset): gone, but not the logout's doing.
    const cut = closed && entry.cutAfterMs !== undefined;
    evidence.push({
      attempt: `session ${index + 1} of ${watched.length}`,
      received: closed ? (entry.code ?? 'disconnected') : 'still connected',
      outcome: closed ? 'disconnected' : 'connected',
      ...(entry.code === undefined ? {} : { code: entry.code }),
      ...(cut ? { ms: entry.cutAfterMs } : {}),
      verdict: cut ? 'pass' : closed ? 'not-applicable' : 'fail',
      ...(cut
        ? {}
        : {
            note: closed
              ? 'closed before the logout'
              : `still open ${timeoutMs} ms after the logout`,
          }),
    });
    entry.socket.close();
  });

  const { result: again, backoff } = await ctx.connectRetried({
    origin: ctx.options.origin,
    token: tokens[0],
  });
  if (again.kind === 'connected') again.socket.close();
  evidence.push(
    withBackoffNote(
      judgeHandshake('reconnect with the logged-out token', again, timeoutMs),
      backoff,
    ),
  );
  return outcomeOf(evidence, {
    pass: () =>
      `the logout cut every session (${watched.length}) and the token was refused at the next handshake`,
    fail: (miss) =>
      miss.attempt.startsWith('reconnect')
        ? `the logged-out token ${miss.received} at the next handshake`
        : `${miss.attempt} was ${miss.received} ${timeoutMs} ms after the logout`,
  });
}
