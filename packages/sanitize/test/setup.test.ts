import Joi from 'joi';
import { sanitizeGuard, type SanitizeGuardOptions } from '../src';

/** Mistakes in the options are caught once, when the guard is made, with a fix in the message. */
describe('sanitizeGuard set-up', () => {
  it.each<[string, unknown, RegExp]>([
    ['an unknown mode', { mode: 'remove' }, /mode must be 'escape' \(default\) or 'strip'/],
    [
      'an unknown preset',
      { preset: 'rich' },
      /preset names the policy "rich"; use one of text, basic/,
    ],
    [
      'an unknown otherEvents',
      { otherEvents: 'all' },
      /otherEvents must be 'everyString' \(default\) or 'skip'/,
    ],
    ['a bad maxDepth', { maxDepth: 0 }, /maxDepth must be an integer from 1 to 1000/],
    [
      'a markupBudget that is neither false nor an object',
      { markupBudget: true },
      /markupBudget must be false or an object/,
    ],
    [
      'a markupBudget limit that is not a positive integer',
      { markupBudget: { maxMarkupChars: 0 } },
      /markupBudget\.maxMarkupChars must be a positive integer \(default 512\)/,
    ],
    [
      'an unknown markupBudget key',
      { markupBudget: { maxMarkupBytes: 8192 } },
      /markupBudget\.maxMarkupBytes is not an option; use maxMarkupStrings, maxMarkupLength, maxMarkupChars/,
    ],
    [
      'fields that are not a map',
      { fields: ['message'] },
      /fields must be an object keyed by event name/,
    ],
    [
      'a field rule of the wrong kind',
      { fields: { chat: 'message' } },
      /must be a list of field paths/,
    ],
    [
      'an unknown policy on a field',
      { fields: { chat: { message: 'html' } } },
      /fields\["chat"\]\["message"\] names the policy "html"/,
    ],
    [
      'a malformed path',
      { fields: { chat: ['items[x].title'] } },
      /field path "items\[x\]\.title" has a malformed/,
    ],
    ['an empty path', { fields: { chat: [''] } }, /field path "" is empty/],
    ['a path past the arguments', { fields: { chat: ['[999].x'] } }, /past the 256th/],
    [
      'a policy that allows every tag',
      { policies: { all: { allowedTags: false } } },
      /allowedTags: false.*list the tags/,
    ],
    [
      'a policy that allows script',
      { policies: { js: { allowedTags: ['b', 'script'] } } },
      /policies\.js allows script.*allowVulnerableTags: true/,
    ],
    [
      'a policy that replaces a preset',
      { policies: { basic: { allowedTags: [] } } },
      /would replace a preset/,
    ],
    [
      'an event in both fields and schemas',
      { fields: { chat: ['m'] }, schemas: { chat: Joi.string() } },
      /"chat" is in both fields and schemas/,
    ],
    [
      'a schema that is not one',
      { schemas: { chat: 'string' } },
      /schemas\["chat"\] must be a joi schema/,
    ],
    [
      'a bad sanitize meta',
      { schemas: { chat: Joi.object({ m: Joi.string().meta({ sanitize: 1 }) }) } },
      /meta\(\{ sanitize: 1 \}\); use a policy name/,
    ],
    [
      'an unknown policy in a meta',
      { schemas: { chat: Joi.object({ m: Joi.string().meta({ sanitize: 'rich' }) }) } },
      /schemas\["chat"\] names the policy "rich"/,
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
      /marks m with both text and basic/,
    ],
  ])('refuses %s', (_name, options, message) => {
    expect(() => sanitizeGuard(options as SanitizeGuardOptions)).toThrow(message);
  });

  it('accepts a vulnerable tag when the policy says it is on purpose', () => {
    const guard = sanitizeGuard({
      policies: { trusted: { allowedTags: ['style'], allowVulnerableTags: true } },
      preset: 'trusted',
    });
    expect(guard.guardName).toBe('sanitize');
  });
});
