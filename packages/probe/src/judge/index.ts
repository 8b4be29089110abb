export {
  PORTCULLIS_CODES,
  clip,
  isLimitRefusal,
  isPortcullisCode,
  isRetryableLimit,
} from './codes';
export {
  answerOutcome,
  describeAnswer,
  describeHandshake,
  handshakeCode,
  handshakeOutcome,
} from './describe';
export { judgeHandshake } from './handshake';
export { explainHonestRefusal } from './honest';
export { judgePacket } from './packet';
export {
  notApplicable,
  outcomeOf,
  refusalPhrase,
  refusals,
  worstVerdict,
  type CheckOutcome,
  type Summaries,
} from './verdict';
