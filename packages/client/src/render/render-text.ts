/**
 * Replaces `element`'s children with `text` as one text node (`textContent`): markup in
 * it is shown, never parsed. For server messages, `describeGuardError` sentences, and
 * anything that is not meant to be markup.
 */
export function renderText(element: Element, text: string): void {
  element.textContent = typeof text === 'string' ? text : String(text);
}
