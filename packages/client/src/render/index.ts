/**
 * `@portcullis/client/render`: inserting what the server relayed without running it.
 * Needs `dompurify` (an optional peer dependency of `@portcullis/client`) for
 * `renderHtml`; the main entry does not load this file.
 */
export { renderText } from './render-text';
export { renderHtml, type RenderHtmlOptions, type RenderOutcome } from './render-html';
export { LINK_REL, type RenderPolicy } from './policy';
