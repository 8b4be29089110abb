// The page's one door to @portcullis/client (its browser builds, served by the chat
// server from the package's dist): every refusal is read, explained and acted on
// through these functions, and every message is inserted through its renderers.
export {
  describeGuardError,
  guardClient,
  isGuardError,
  readGuardError,
  reconnectAdvice,
} from '/vendor/portcullis-client/index.js';
export { renderHtml, renderText } from '/vendor/portcullis-client/render.js';
