import { opt, type OptionSpec } from '@portcullis/core';

const thresholdSpec: OptionSpec = opt.object({
  threshold: opt.required(opt.integer({ min: 1 })),
  windowMs: opt.required(opt.duration({ min: 1 })),
});

// The window is core's escalation window: audit reads the weight core keeps.
const socketThresholdSpec: OptionSpec = opt.object({
  threshold: opt.required(opt.number({ min: 1 })),
  windowMs: opt.removed(
    "a socket's refusals are weighed in core's escalation window: configurePortcullis(io, { escalation: { disconnectAfter: { refusals, withinMs } } })",
  ),
});

/** Every option `detectSuspiciousActivity` takes. */
export const suspiciousActivityOptionsSpec: OptionSpec = opt.object({
  authFailuresPerIp: opt.off(thresholdSpec),
  refusalsPerSocket: opt.off(socketThresholdSpec),
  refusalsPerIp: opt.off(thresholdSpec),
  maxTrackedSources: opt.integer({ min: 1 }),
  now: opt.func(),
});

/** Every option `audit` takes. */
export const auditOptionsSpec: OptionSpec = opt.object({
  // By shape: a bus made by another copy of core (require and import) is a bus too.
  bus: opt.custom(
    'a SecurityEventBus',
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { on?: unknown }).on === 'function' &&
      typeof (value as { emit?: unknown }).emit === 'function',
  ),
  sinks: opt.required(
    opt.custom(
      'a non-empty array of sinks, each a function (event) => void, e.g. audit({ sinks: [jsonLinesSink(process.stdout)] })',
      (value) =>
        Array.isArray(value) &&
        value.length > 0 &&
        value.every((sink: unknown) => typeof sink === 'function'),
    ),
  ),
  suspicious: opt.off(suspiciousActivityOptionsSpec),
});
