import type { SecurityEvent } from '@portcullis/core';
import { redactEvent } from './redact';

/** Anything with `write(string)`: `process.stdout`, a file stream, a socket. */
export interface WritableLike {
  write(chunk: string): unknown;
}

/**
 * Writes each event as one JSON line (`{"type":…,"at":…}\n`), redacted. Ready for any
 * log shipper that reads JSON lines.
 */
export function jsonLinesSink(stream: WritableLike): (event: SecurityEvent) => void {
  return function writeJsonLine(event) {
    stream.write(`${JSON.stringify(redactEvent(event))}\n`);
  };
}
