import Joi from 'joi';

/** Room names: lower-case letters, digits and dashes, so they are safe anywhere they show. */
export const ROOM_NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
export const MAX_TEXT_LENGTH = 1000;

const room = Joi.string().pattern(ROOM_NAME).required();
// An invitation to a private room: a room token (a JWT), checked by the rooms guard.
const invite = Joi.string().max(4096);
const userName = Joi.string()
  .pattern(/^[A-Za-z0-9_-]{1,24}$/)
  .required();
// Replay protection (@portcullis/content): @portcullis/client stamps each message with a
// unique id and its send time, and resends a message whose answer was lost with the same id.
const messageId = Joi.string()
  .pattern(/^[A-Za-z0-9_-]{8,128}$/)
  .required();
const sentAt = Joi.number().integer().min(0).required();
// Marked for @portcullis/sanitize: after validation, the text goes through its `basic`
// preset (b, i, em, strong, and http/https/mailto links; anything else shown as text).
const text = Joi.string().trim().min(1).max(MAX_TEXT_LENGTH).required().meta({ sanitize: 'basic' });

/**
 * One schema per client event. The preset's validation refuses every other event
 * (`VALIDATION_FAILED`, `event.unknown`) and strips keys these schemas do not name.
 */
export const schemas = {
  'room:join': Joi.object({ room, invite }),
  'room:leave': Joi.object({ room }),
  'room:invite': Joi.object({ room, user: userName }),
  'chat:send': Joi.object({ room, text, messageId, sentAt }),
  'admin:broadcast': Joi.object({ text }),
};

/** Who may send what. An event missing here is refused with `FORBIDDEN`. */
export const rules = {
  'room:join': true,
  'room:leave': true,
  'room:invite': { roles: ['admin'] },
  'chat:send': true,
  'admin:broadcast': { roles: ['admin'] },
};
