import DOMPurify, { type DOMPurify as Purifier } from 'dompurify';
import { LINK_REL, SAFE_LINK } from './policy';

/**
 * One DOMPurify instance per window, made here rather than the app's shared
 * `DOMPurify` so the link hook below never touches the app's own sanitizing. Keyed by
 * window so an element of an iframe is parsed and imported by its own document.
 */
const instances = new WeakMap<object, Purifier | null>();

/** Set around each `sanitize` call (synchronous): whether `href` must pass the basic test. */
let strictLinks = false;

function linkHook(node: Element): void {
  if (node.localName !== 'a') return;
  if (strictLinks) {
    const href = node.getAttribute('href');
    if (href !== null && !SAFE_LINK.test(href.trim())) node.removeAttribute('href');
  }
  // Every link, whatever the policy: no window.opener, no referrer, no ranking credit.
  node.setAttribute('rel', LINK_REL);
}

/** The instance for `element`'s window, or `null` when DOMPurify cannot run there. */
export function purifierFor(element: Element): Purifier | null {
  const view = element.ownerDocument?.defaultView;
  if (view === null || view === undefined) return null;
  let purifier = instances.get(view);
  if (purifier === undefined) {
    const created = typeof DOMPurify === 'function' ? DOMPurify(view) : undefined;
    // Unsupported, DOMPurify's sanitize hands the input back unchanged: never use it then.
    purifier =
      created !== undefined && created.isSupported && typeof created.sanitize === 'function'
        ? created
        : null;
    purifier?.addHook('afterSanitizeAttributes', linkHook);
    instances.set(view, purifier);
  }
  return purifier;
}

/** Runs `sanitize` with the link test on or off for this call only. */
export function withLinkTest<T>(strict: boolean, run: () => T): T {
  strictLinks = strict;
  try {
    return run();
  } finally {
    strictLinks = false;
  }
}
