/* global document */
/**
 * Turns what the server relays into DOM nodes without ever handing a string to the HTML
 * parser of the live page. Names, rooms and times go in as text. Message bodies are the
 * output of the server's `basic` sanitizer (HTML for element content); they are parsed in
 * an inert <template> (no script runs, nothing loads) and rebuilt from an allowlist: b, i,
 * em, strong, and links to http, https or mailto. Anything else becomes its text. So a
 * message stays harmless even if a server forgot to sanitize it.
 */
const KEPT_TAGS = new Set(['B', 'I', 'EM', 'STRONG', 'A']);
const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const MAX_DEPTH = 16;

function safeHref(value) {
  if (value === null) return undefined;
  try {
    const url = new URL(value);
    return LINK_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function rebuild(source, target, depth) {
  for (const node of source.childNodes) {
    if (node.nodeType === 3) {
      target.append(document.createTextNode(node.data));
    } else if (node.nodeType === 1) {
      if (!KEPT_TAGS.has(node.tagName) || depth >= MAX_DEPTH) {
        target.append(document.createTextNode(node.textContent ?? ''));
        continue;
      }
      const copy = document.createElement(node.tagName.toLowerCase());
      if (node.tagName === 'A') {
        const href = safeHref(node.getAttribute('href'));
        if (href !== undefined) {
          copy.href = href;
          copy.rel = 'noopener noreferrer nofollow';
          copy.target = '_blank';
        }
      }
      rebuild(node, copy, depth + 1);
      target.append(copy);
    }
    // Comments and anything else are dropped.
  }
}

/** The sanitized `basic` markup of a message as a fragment of safe nodes. */
export function renderBasicMarkup(html) {
  const template = document.createElement('template');
  template.innerHTML = typeof html === 'string' ? html : '';
  const fragment = document.createDocumentFragment();
  rebuild(template.content, fragment, 0);
  return fragment;
}

/** The same message as plain text: what you read with formatting off. */
export function renderPlainText(html) {
  return document.createTextNode(renderBasicMarkup(html).textContent ?? '');
}

const clock = (at) =>
  new Date(typeof at === 'number' ? at : Date.now()).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** One chat line: `{ from, text, at }` (text in `basic` markup). */
export function messageItem(message, { formatting }) {
  const item = element('li', 'message');
  item.append(element('span', 'from', String(message.from ?? '?')));
  const time = element('time', '', clock(message.at));
  item.append(time);
  const body = element('div', 'body');
  body.append(formatting ? renderBasicMarkup(message.text) : renderPlainText(message.text));
  item.append(body);
  return item;
}

/** An announcement from an admin, shown in every room. */
export function announcementItem(announcement, options) {
  const item = messageItem(announcement, options);
  item.classList.add('announcement');
  item.querySelector('.from').textContent = `Announcement from ${String(announcement.from ?? '?')}`;
  return item;
}

/** "alice joined", "bob left": text only. */
export function systemItem(text, at) {
  const item = element('li', 'message system');
  item.append(element('time', '', clock(at)), document.createTextNode(` ${text}`));
  return item;
}
