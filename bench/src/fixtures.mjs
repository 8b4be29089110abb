// Shared constants of the benchmark: the secret, the message shapes, the origins.
export const SECRET = 'bench-secret-that-is-at-least-32-bytes-long!!';
export const ORIGIN = 'https://chat.example.com';
export const PLAIN_TEXT = 'Hello everyone, the meeting moves to 3 pm, see you there.';
export const MARKUP_TEXT =
  'Hello <b>everyone</b>, the <a href="https://example.com/m">meeting</a> moves to <i>3 pm</i>.';

export function chatArgs(text) {
  return `"chat:send",${JSON.stringify({ roomId: 'general', text })}`;
}
