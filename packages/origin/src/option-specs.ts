/** The specs of every options object this package takes, on core's options kit. */
import { opt, type OptionSpec } from '@portcullis/core';
import { originsSpec } from './allowlist';

type Raw = Readonly<Record<string, unknown>>;

const matcherFields = {
  origins: opt.required(originsSpec),
  allowMissingOrigin: opt.boolean(),
  allowNullOrigin: opt.boolean(),
  trustFetchMetadata: opt.boolean(),
};

/** An empty allowlist refuses every browser: only right when only native clients connect. */
const emptyAllowlist = (value: Raw): string | undefined =>
  Array.isArray(value.origins) && value.origins.length === 0 && value.allowMissingOrigin !== true
    ? "'origins' is empty, so every browser would be refused. List the origins of your " +
      'pages, or set allowMissingOrigin: true if only native clients connect.'
    : undefined;

const logFields = {
  logIntervalMs: opt.oldSpelling(
    opt.off(opt.duration({ min: 1 })),
    0,
    'is 0: use false to record every refusal (no throttle).',
  ),
  maxTrackedOrigins: opt.integer({ min: 1 }),
};

const engineFields = {
  bus: opt.custom(
    'a SecurityEventBus from @portcullis/core',
    // Duck-typed: the ESM and CommonJS builds of core each have their own class.
    (value) =>
      typeof (value as { emit?: unknown } | null)?.emit === 'function' &&
      typeof (value as { listenerCount?: unknown }).listenerCount === 'number',
  ),
  trustedProxies: opt.array(opt.string()),
  now: opt.func(),
};

/** Every option `createOriginMatcher` takes. */
export const createOriginMatcherOptionsSpec: OptionSpec = opt.object(matcherFields, [
  emptyAllowlist,
]);

/** Every option `originGuard` takes. Its clock is core's: `configurePortcullis(io, { now })`. */
export const originGuardOptionsSpec: OptionSpec = opt.object(
  {
    ...matcherFields,
    ...logFields,
    now: opt.removed("originGuard reads core's clock: configurePortcullis(io, { now })"),
  },
  [emptyAllowlist],
);

/**
 * Every option `originEngineMiddleware` and `originAllowRequest` take: they run before
 * Socket.io has a socket, so they take the bus, the proxies and the clock themselves.
 */
export const originEngineOptionsSpec: OptionSpec = opt.object(
  { ...matcherFields, ...logFields, ...engineFields },
  [emptyAllowlist],
);

/** `originEngineMiddleware`'s options, under the name of its factory. */
export const originEngineMiddlewareOptionsSpec = originEngineOptionsSpec;
/** `originAllowRequest`'s options, under the name of its factory. */
export const originAllowRequestOptionsSpec = originEngineOptionsSpec;
