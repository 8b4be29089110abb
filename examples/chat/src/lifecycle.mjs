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
