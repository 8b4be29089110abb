import { ackRefusal, isErrorEventName } from '../src/wire/ack-shape';

/** Acks as servers write them, and what the probe reads in each: `accepted`, or the refusal's code. */
const ACKS: [label: string, args: unknown[], reading: string | undefined][] = [
  ['empty ack', [], 'accepted'],
  ['{ ok: true }', [{ ok: true }], 'accepted'],
  ['node style, no error', [null, { id: 7 }], 'accepted'],
  ['a result string', ['saved'], 'accepted'],
  ['data', [{ id: 7, text: 'hi' }], 'accepted'],
  ['{ error: null }', [{ error: null }], 'accepted'],
  ['{ code: "OK" }', [{ code: 'OK' }], 'accepted'],
  ['Portcullis', [{ error: { code: 'VALIDATION_FAILED', message: 'x' } }], 'VALIDATION_FAILED'],
  ['{ error: string }', [{ error: 'VALIDATION_ERROR' }], 'VALIDATION_ERROR'],
  ['{ ok: false, error }', [{ ok: false, error: 'MESSAGE_TOO_LARGE' }], 'MESSAGE_TOO_LARGE'],
  ['{ ok: false, reason }', [{ ok: false, reason: 'bad input here' }], undefined],
  ['{ success: false, code }', [{ success: false, code: 'E_SCHEMA' }], 'E_SCHEMA'],
  [
    '{ status: "error", code }',
    [{ status: 'error', code: 'VALIDATION_ERROR' }],
    'VALIDATION_ERROR',
  ],
  ['{ statusCode: 413 }', [{ statusCode: 413, message: 'Payload Too Large' }], undefined],
  ['{ errors: [...] }', [{ errors: [{ type: 'string.base' }] }], 'string.base'],
  ['an error code string', ['MESSAGE_TOO_LARGE'], 'MESSAGE_TOO_LARGE'],
  ['an error sentence', ['invalid payload'], undefined],
  ['false', [false], undefined],
  ['an error code object', [{ code: 'UNAUTHORIZED', message: 'who are you' }], 'UNAUTHORIZED'],
];

describe('reading refusals in acks, whatever their shape', () => {
  it.each(ACKS)('%s', (_label, args, reading) => {
    const refusal = ackRefusal(args);
    if (reading === 'accepted') {
      expect(refusal).toBeUndefined();
    } else {
      expect(refusal).toBeDefined();
      expect(refusal?.code).toBe(reading);
    }
  });

  it('finds the retry-after of a rate limit', () => {
    expect(ackRefusal([{ error: { code: 'SLOW_DOWN', retryAfterMs: 1000 } }])).toEqual({
      code: 'SLOW_DOWN',
      retryAfterMs: 1000,
    });
  });

  it('knows error events by name', () => {
    const names = ['portcullis:error', 'error', 'exception', 'chat:error', 'app_error', 'x.errors'];
    expect(names.filter((name) => isErrorEventName(name, 'portcullis:error'))).toEqual(names);
    const others = ['message', 'chat:message', 'terror', 'errorCount', 'mirror'];
    expect(others.filter((name) => isErrorEventName(name, 'portcullis:error'))).toEqual([]);
  });
});
