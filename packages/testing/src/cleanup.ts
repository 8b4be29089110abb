/**
 * Everything a test opens is registered here and closed after each test by the Jest
 * set-up file, so a failing assertion never leaves a server or socket behind.
 */
type Closer = () => Promise<void> | void;

const closers: Closer[] = [];

export function onCleanup(closer: Closer): void {
  closers.push(closer);
}

/** Closes everything registered, newest first (clients before their servers). */
export async function closeAll(): Promise<void> {
  const pending = closers.splice(0).reverse();
  for (const close of pending) {
    try {
      await close();
    } catch {
      // Already closed: nothing to do.
    }
  }
}
