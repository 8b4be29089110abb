import { configOf, type RenderPolicy } from './policy';
import { purifierFor, withLinkTest } from './purifier';
import { renderText } from './render-text';

export interface RenderHtmlOptions {
  /** Default `'basic'`, the server's `basic` preset. */
  readonly policy?: RenderPolicy;
}

/** How the content went in: as sanitized markup, or as plain text (the fallback). */
export type RenderOutcome = 'html' | 'text';

/**
 * Replaces `element`'s children with `html` sanitized by DOMPurify under `policy`,
 * inserted as a DOM fragment (never a string through `innerHTML`, so nothing is parsed
 * a second time after sanitizing). Links always get `rel="noopener noreferrer nofollow"`.
 *
 * When DOMPurify cannot run (no window for the element's document, an unsupported
 * environment, or it throws), `html` is shown as text instead, markup visible and inert,
 * and `'text'` is returned.
 *
 * @example
 * import { renderHtml } from '@portcullis/client/render';
 * socket.on('chat:message', (message) => renderHtml(bubble, message.html));
 */
export function renderHtml(
  element: Element,
  html: string,
  options: Readonly<RenderHtmlOptions> = {},
): RenderOutcome {
  const policy = options.policy ?? 'basic';
  const config = configOf(policy);
  const text = typeof html === 'string' ? html : String(html);
  const purifier = purifierFor(element);
  let fragment: DocumentFragment | null = null;
  if (purifier !== null) {
    try {
      fragment = withLinkTest(policy === 'basic', () => purifier.sanitize(text, config));
    } catch {
      fragment = null;
    }
  }
  if (fragment === null || fragment === undefined) {
    renderText(element, text);
    return 'text';
  }
  if (typeof element.replaceChildren === 'function') element.replaceChildren(fragment);
  else {
    element.textContent = '';
    element.appendChild(fragment);
  }
  return 'html';
}
