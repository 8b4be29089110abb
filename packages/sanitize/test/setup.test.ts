import Joi from 'joi';
import { isPortcullisConfigError, type PortcullisConfigError } from '@portcullis/core';
import { thrownBy } from '@portcullis/testing';
import { sanitizeGuard, sanitizeGuardOptionsSpec, type SanitizeGuardOptions } from '../src';

const configError = (run: () => unknown): PortcullisConfigError =>
  thrownBy(run, isPortcullisConfigError);

/** Mistakes in the options are caught once, when the guard is made, with a fix in the message. */
describe('sanitizeGuard set-up', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['an unknown mode', { mode: 'remove' }, 'mode', /must be "escape" or "strip"/],
    [
      'an unknown preset',
      { preset: 'rich' },
      'preset',
      /names the policy "rich"; use one of text, basic/,
    ],
    ['an unknown otherEvents', { otherEvents: 'all' }, 'otherEvents', /false, or "everyString"/],
    [
      "otherEvents: 'skip', the old spelling",
      { otherEvents: 'skip' },
      'otherEvents',
      /'skip' is now written false/,
    ],
    [
      "maxDepth, now the structure walk's",
      { maxDepth: 4 },
      'maxDepth',
      /removed: the one structure walk bounds depth: set sizeLimitGuard\(\{ maxDepth \}\)/,
    ],
    [
      'a markupBudget that is neither false nor an object',
      { markupBudget: true },
      'markupBudget',
      /must be false, or an object/,
    ],
    [
      'a markupBudget limit that is not a positive integer',
      { markupBudget: { maxMarkupChars: 0 } },
      'markupBudget.maxMarkupChars',
      /must be an integer ≥ 1/,
    ],
    ['fields that are not a map', { fields: ['message'] }, 'fields', /must be an object of/],
    [
      'a field rule of the wrong kind',
      { fields: { chat: 'message' } },
      'fields.chat',
      /must be "\*", or an array of/,
    ],
    [
      'an unknown policy on a field',
      { fields: { chat: { message: 'html' } } },
      'fields.chat.message',
      /names the policy "html"/,
    ],
    [
      'a malformed path',
      { fields: { chat: ['items[x].title'] } },
      'fields.chat[0]',
      /field path "items\[x\]\.title" has a malformed/,
    ],
    ['an empty path', { fields: { chat: [''] } }, 'fields.chat[0]', /must be a non-empty string/],
    [
      'a path past the arguments',
      { fields: { chat: ['[999].x'] } },
      'fields.chat[0]',
      /past the 256th/,
    ],
    [
      'a policy that allows every tag',
      { policies: { all: { allowedTags: false } } },
      'policies.all',
      /allowedTags: false.*list the tags/,
    ],
    [
      'a policy that allows script',
      { policies: { js: { allowedTags: ['b', 'script'] } } },
      'policies.js',
      /allows script.*allowVulnerableTags: true/,
    ],
    [
      'a policy that replaces a preset',
      { policies: { basic: { allowedTags: [] } } },
      'policies.basic',
      /would replace a preset/,
    ],
    [
      'an event in both fields and schemas',
      { fields: { chat: ['m'] }, schemas: { chat: Joi.string() } },
      '',
      /"chat" is in both fields and schemas/,
    ],
    [
      'a schema that is not one',
      { schemas: { chat: 'string' } },
      'schemas.chat',
      /must be a joi schema/,
    ],
    [
      'a bad sanitize meta',
      { schemas: { chat: Joi.object({ m: Joi.string().meta({ sanitize: 1 }) }) } },
      'schemas.chat.m',
      /meta\(\{ sanitize: 1 \}\); use a policy name/,
    ],
    [
      'an unknown policy in a meta',
      { schemas: { chat: Joi.object({ m: Joi.string().meta({ sanitize: 'rich' }) }) } },
      'schemas.chat',
      /names the policy "rich"/,
    ],
    [
      'two policies on one field',
      {
        schemas: {
          chat: Joi.object({
            m: Joi.alternatives().try(
              Joi.string().meta({ sanitize: 'text' }),
              Joi.string().meta({ sanitize: 'basic' }),
            ),
          }),
        },
      },
      'schemas.chat',
      /marks m with both text and basic/,
    ],
  ])('refuses %s, naming the path', (_name, options, path, message) => {
    const error = configError(() => sanitizeGuard(options as SanitizeGuardOptions));
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^sanitizeGuard: /);
  });

  it('refuses a misspelt key at every depth, with its path and the nearest known key', () => {
    const top = configError(() => sanitizeGuard({ polices: {} } as never));
    expect(top.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
    expect(top.message).toBe('sanitizeGuard: polices: unknown option, did you mean policies?');
    const deep = configError(() => sanitizeGuard({ markupBudget: { maxMarkupChar: 9 } } as never));
    expect(deep.path).toBe('markupBudget.maxMarkupChar');
    expect(deep.message).toContain('did you mean markupBudget.maxMarkupChars?');
  });

  it('exports the spec the factory checks', () => {
    expect(Object.keys(sanitizeGuardOptionsSpec.fields ?? {})).toEqual(
      expect.arrayContaining(['preset', 'mode', 'fields', 'schemas', 'otherEvents']),
    );
    expect(() =>
      sanitizeGuardOptionsSpec.check({ otherEvents: false, markupBudget: false }, ''),
    ).not.toThrow();
  });

  it('accepts a vulnerable tag when the policy says it is on purpose', () => {
    const guard = sanitizeGuard({
      policies: { trusted: { allowedTags: ['style'], allowVulnerableTags: true } },
      preset: 'trusted',
    });
    expect(guard.guardName).toBe('sanitize');
  });
});
