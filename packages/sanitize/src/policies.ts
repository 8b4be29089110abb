import type { IOptions } from 'sanitize-html';
import { childPath } from '@portcullis/core';
import { configError } from './config-errors';

/**
 * sanitize-html's options. `preserveEscapedAttributes` (sanitize-html 2.12+) is missing
 * from @types/sanitize-html, hence the addition.
 */
export type SanitizeHtmlOptions = IOptions & { preserveEscapedAttributes?: boolean };

/** What happens to a tag the policy does not allow. */
export type SanitizeMode = 'escape' | 'strip';

/** The presets every guard knows; `policies` adds names of your own. */
export const PRESET_NAMES = ['text', 'basic'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** A policy ready for the hot path: its sanitize-html options, built once. */
export interface Policy {
  readonly name: string;
  readonly options: SanitizeHtmlOptions;
}

const LINK_REL = 'noopener noreferrer nofollow';
/** Checked on the decoded value sanitize-html hands to `transformTags`. */
const SAFE_LINK = /^(?:https?:\/\/|mailto:)/i;

function disallowedTags(
  mode: SanitizeMode,
): Pick<SanitizeHtmlOptions, 'disallowedTagsMode' | 'preserveEscapedAttributes'> {
  // Escaped tags keep their (escaped, inert) attributes, so the reader sees what was typed.
  return mode === 'escape'
    ? { disallowedTagsMode: 'escape', preserveEscapedAttributes: true }
    : { disallowedTagsMode: 'discard' };
}

/** `text`: no markup at all. Tags are shown as text (`escape`) or removed (`strip`). */
function textPreset(mode: SanitizeMode): SanitizeHtmlOptions {
  return { allowedTags: [], allowedAttributes: {}, ...disallowedTags(mode) };
}

/**
 * `basic`: b, i, em, strong, and links to http, https and mailto only, which always get
 * `rel="noopener noreferrer nofollow"`. A link whose target is anything else (relative,
 * protocol-relative, `javascript:`, `data:`) keeps its text and loses its `href`.
 */
function basicPreset(mode: SanitizeMode): SanitizeHtmlOptions {
  return {
    allowedTags: ['b', 'i', 'em', 'strong', 'a'],
    allowedAttributes: { a: ['href', 'rel'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: {},
    allowProtocolRelative: false,
    transformTags: {
      a: (_tagName, attribs) => {
        const href = attribs.href;
        const kept: Record<string, string> = {};
        if (href !== undefined && SAFE_LINK.test(href.trim())) kept.href = href;
        kept.rel = LINK_REL;
        return { tagName: 'a', attribs: kept };
      },
    },
    ...disallowedTags(mode),
  };
}

const VULNERABLE_TAGS = ['script', 'style'];

/**
 * Checks a custom policy once. sanitize-html only warns about these; a guard that lets
 * them through is not a sanitizer, so it refuses to start unless told it is on purpose.
 */
function customPolicy(
  name: string,
  custom: SanitizeHtmlOptions,
  mode: SanitizeMode,
): SanitizeHtmlOptions {
  const where = childPath('policies', name);
  if (custom.allowedTags === false) {
    throw configError(
      where,
      'sets allowedTags: false, which allows every tag including script; list the tags to allow.',
    );
  }
  const allowedTags = custom.allowedTags ?? [];
  const vulnerable = VULNERABLE_TAGS.filter((tag) => allowedTags.includes(tag));
  if (vulnerable.length > 0 && custom.allowVulnerableTags !== true) {
    throw configError(
      where,
      `allows ${vulnerable.join(' and ')}, which runs code in the reader's browser; ` +
        'remove it, or set allowVulnerableTags: true if that is really intended.',
    );
  }
  return custom.disallowedTagsMode === undefined ? { ...disallowedTags(mode), ...custom } : custom;
}

/** Every policy a guard can use, by name: the presets, then yours. */
export function buildPolicies(
  custom: Readonly<Record<string, SanitizeHtmlOptions>> | undefined,
  mode: SanitizeMode,
): Map<string, Policy> {
  const policies = new Map<string, Policy>([
    ['text', { name: 'text', options: textPreset(mode) }],
    ['basic', { name: 'basic', options: basicPreset(mode) }],
  ]);
  if (custom === undefined) return policies;
  for (const [name, options] of Object.entries(custom)) {
    if (options === undefined) continue;
    if (policies.has(name)) {
      throw configError(
        childPath('policies', name),
        'would replace a preset; give it another name.',
        'PORTCULLIS_CONFIG_CONFLICT',
      );
    }
    policies.set(name, { name, options: customPolicy(name, options, mode) });
  }
  return policies;
}

/** Looks a policy up by name at set-up, with a message listing the names there are. */
export function policyNamed(
  policies: ReadonlyMap<string, Policy>,
  name: unknown,
  where: string,
): Policy {
  const policy = typeof name === 'string' ? policies.get(name) : undefined;
  if (policy === undefined) {
    throw configError(
      where,
      `names the policy ${JSON.stringify(name)}; use one of ${[...policies.keys()].join(', ')}.`,
    );
  }
  return policy;
}
