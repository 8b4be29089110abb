export { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, launchChromium } from './chromium';
export type { Browser, Page } from 'playwright-core';
export { describeBrowser } from './describe-browser';
export {
  HARNESS_NONCE,
  startPageServer,
  type PageRoute,
  type PageServer,
  type PageServerOptions,
} from './page-server';
export {
  BASIC_MARKUP,
  INSERT_WITH_INNER_HTML,
  NO_MARKUP,
  Renderer,
  TRAP_PROBES,
  renderAll,
  type AllowedMarkup,
  type BatchOutcome,
  type Execution,
  type RenderReport,
  type RendererOptions,
} from './renderer';
export { CORPUS_FILE, CORPUS_SHA256, loadCorpus, type Vector } from './corpus';
