import Joi from 'joi';

/** Room names: lower-case letters, digits and dashes, so they are safe anywhere they show. */
export const ROOM_NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
export const MAX_TEXT_LENGTH = 1000;

const room = Joi.string().pattern(ROOM_NAME).required();
// Marked for @portcullis/sanitize: after validation, the text goes through its `basic`
// preset (b, i, em, strong, and http/https/mailto links; anything else shown as text).
const text = Joi.string().trim().min(1).max(MAX_TEXT_LENGTH).required().meta({ sanitize: 'basic' });

/**
 * One schema per client event. The preset's validation refuses every other event
 * (`VALIDATION_FAILED`, `event.unknown`) and strips keys these schemas do not name.
 */
export const schemas = {
  'room:join': Joi.object({ room }),
  'room:leave': Joi.object({ room }),
  'chat:send': Joi.object({ room, text }),
  'admin:broadcast': Joi.object({ text }),
};

/** Who may send what. An event missing here is refused with `FORBIDDEN`. */
export const rules = {
  'room:join': true,
  'room:leave': true,
  'chat:send': true,
  'admin:broadcast': { roles: ['admin'] },
};
