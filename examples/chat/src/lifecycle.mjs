/**
 * Stops cleanly on Ctrl+C, on SIGTERM, and when the process that started this one (the
 * cluster launcher) goes away, so no node is left running on its own.
 */
export function stopOnSignals(stop) {
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    // A node that cannot close in time is not worth waiting for.
    setTimeout(() => process.exit(0), 3000).unref();
    stop().then(
      () => process.exit(0),
      (error) => {
        console.error('[chat] could not stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  if (process.send !== undefined) process.once('disconnect', shutdown);
}

/**
 * Starts a node, or says in one sentence why it could not and exits: a taken port is
 * a common first-run problem, not a stack trace.
 */
export async function startOrExplain(start, config) {
  try {
    return await start();
  } catch (error) {
    if (error?.code === 'EADDRINUSE') {
      console.error(
        `[chat] port ${config.port} on ${config.host} is taken: stop what runs there, or start with PORT=${config.port + 1} (PORT=0 picks a free port).`,
      );
    } else if (error?.code === 'EACCES') {
      console.error(
        `[chat] not allowed to listen on port ${config.port}: pick a port above 1023 (PORT=3000).`,
      );
    } else {
      console.error('[chat] could not start:', error);
    }
    process.exit(1);
  }
}
