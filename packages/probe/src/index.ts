export { runProbe } from './run-probe';
export { runCli, type CliStreams } from './cli/main';
export { formatReport } from './format-report';
export {
  CHECK_GROUPS,
  ProbeOptionsError,
  type CheckGroup,
  type CheckSelector,
  type LogoutHook,
  type ProbeOptions,
  type SanitizedTarget,
} from './options';
export {
  CHECK_IDS,
  type CheckId,
  type CheckResult,
  type CheckStatus,
  type Evidence,
  type Outcome,
  type ProbeReport,
} from './report';
export { TargetRefusedError } from './target/resolve-target';
export { isLoopbackOrPrivate } from './target/address-ranges';
export { PORTCULLIS_CODES } from './judge/codes';
