/* global document */
import { renderHtml, renderText } from './portcullis.js';

/**
 * Turns what the server relays into DOM nodes through @portcullis/client's renderers,
 * never by handing a string to the HTML parser of the live page. Names, rooms and times
 * go in as text (`renderText`). Message bodies are the output of the server's `basic`
 * sanitizer; `renderHtml` cleans them again with DOMPurify under the same policy (b, i,
 * em, strong, and http/https/mailto links with rel="noopener noreferrer nofollow"), or
 * under `'text'` when formatting is off, and inserts the result as a fragment. So a
 * message stays harmless even if a server forgot to sanitize it.
 */

const clock = (at) =>
  new Date(typeof at === 'number' ? at : Date.now()).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) renderText(node, text);
  return node;
}

/** One chat line: `{ from, text, at }` (text in `basic` markup). */
export function messageItem(message, { formatting }) {
  const item = element('li', 'message');
  item.append(element('span', 'from', String(message.from ?? '?')));
  const time = element('time', '', clock(message.at));
  item.append(time);
  const body = element('div', 'body');
  renderHtml(body, typeof message.text === 'string' ? message.text : '', {
    policy: formatting ? 'basic' : 'text',
  });
  item.append(body);
  return item;
}

/** An announcement from an admin, shown in every room. */
export function announcementItem(announcement, options) {
  const item = messageItem(announcement, options);
  item.classList.add('announcement');
  renderText(item.querySelector('.from'), `Announcement from ${String(announcement.from ?? '?')}`);
  return item;
}

/** "alice joined", "bob left": text only. */
export function systemItem(text, at) {
  const item = element('li', 'message system');
  item.append(element('time', '', clock(at)), document.createTextNode(` ${text}`));
  return item;
}

/** A tag written out as text, as the sanitizer leaves markup it does not allow. */
const TAG_AS_TEXT = /<\/?[a-z][\w-]*(?:\s[^>]*)?\/?>/i;

/**
 * Whether markup the chat does not allow was posted as text: the server's sanitizer
 * escapes such tags (`&lt;img …&gt;`), so the posted message reads with a tag in it.
 * Only the posted (sanitized) HTML is parsed here, never what the user typed: parsing
 * raw markup, even in DOMPurify's inert document, makes the browser report its inline
 * handlers to the page's Content-Security-Policy.
 */
export function markupDropped(posted) {
  const scratch = document.createElement('div');
  renderHtml(scratch, posted, { policy: 'basic' });
  return TAG_AS_TEXT.test(scratch.textContent ?? '');
}
