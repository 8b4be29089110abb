// The page's one door to @portcullis/client (its browser build, served by the chat
// server from the package's dist): every refusal is read, explained and acted on
// through these functions.
export {
  describeGuardError,
  guardClient,
  isGuardError,
  readGuardError,
  reconnectAdvice,
} from '/vendor/portcullis-client/index.js';
