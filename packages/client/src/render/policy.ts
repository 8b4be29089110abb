import type { Config } from 'dompurify';

/**
 * `'basic'`: what the server's `basic` preset of `@portcullis/sanitize` lets through
 * (b, i, em, strong, and links to http, https and mailto with
 * `rel="noopener noreferrer nofollow"`). `'text'`: no markup, the text is kept.
 * Or a DOMPurify configuration of your own.
 */
export type RenderPolicy = 'basic' | 'text' | Readonly<Config>;

export const LINK_REL = 'noopener noreferrer nofollow';

/**
 * The server's test, on the value the browser would follow (DOMPurify hands the hook
 * the decoded attribute). Anything else loses its `href` and keeps its text, as on the
 * server: relative, protocol-relative, `javascript:`, `data:`.
 */
export const SAFE_LINK = /^(?:https?:\/\/|mailto:)/i;

/** Options DOMPurify must never get from a policy here: the result is always a fragment. */
const FORCED = {
  RETURN_DOM_FRAGMENT: true,
  RETURN_DOM: false,
  RETURN_TRUSTED_TYPE: false,
  IN_PLACE: false,
  WHOLE_DOCUMENT: false,
} as const;

export type FragmentConfig = Config & typeof FORCED;

/** Shared by every policy: no data-* or aria-* attributes unless a custom policy says so. */
const BASIC: FragmentConfig = {
  ALLOWED_TAGS: ['b', 'i', 'em', 'strong', 'a'],
  ALLOWED_ATTR: ['href', 'rel'],
  ALLOWED_URI_REGEXP: SAFE_LINK,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  ...FORCED,
};

const TEXT: FragmentConfig = {
  ALLOWED_TAGS: [],
  ALLOWED_ATTR: [],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ...FORCED,
};

/** Elements that run code or style the page; a render policy that allows them is refused. */
const VULNERABLE = ['script', 'style'];

function listed(value: unknown): readonly string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string').map((t) => t.toLowerCase())
    : [];
}

/** The DOMPurify configuration of a policy, checked once per call (a few property reads). */
export function configOf(policy: RenderPolicy): FragmentConfig {
  if (policy === 'basic') return BASIC;
  if (policy === 'text') return TEXT;
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) {
    throw new TypeError(
      `renderHtml: policy must be 'basic', 'text' or a DOMPurify configuration (got ${String(policy)}).`,
    );
  }
  const tags = [...listed(policy.ALLOWED_TAGS), ...listed(policy.ADD_TAGS)];
  const vulnerable = VULNERABLE.filter((tag) => tags.includes(tag));
  if (vulnerable.length > 0) {
    throw new TypeError(
      `renderHtml: the policy allows ${vulnerable.join(' and ')}, which would run code or restyle the page; remove it.`,
    );
  }
  return { ...policy, ...FORCED };
}
