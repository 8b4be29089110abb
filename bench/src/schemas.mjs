// The `chat:send` schema, shared by the tutorial chain and the Portcullis chains so both
// validate exactly the same thing.
import Joi from 'joi';

export const chatSchema = Joi.object({
  roomId: Joi.string()
    .pattern(/^[\w-]{1,64}$/)
    .required(),
  text: Joi.string().min(1).max(1000).required(),
});
