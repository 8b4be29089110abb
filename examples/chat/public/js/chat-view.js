/* global document */
import { announcementItem, messageItem, systemItem } from './render.js';

const MAX_LINES_PER_ROOM = 200;
const STORED_ROOMS = 'portcullis-chat:rooms';

/**
 * The rooms and their messages, as this tab has seen them. The rooms a tab is in are
 * remembered for the tab (sessionStorage) so a reload or a reconnection joins them again.
 */
export function createChatView({ onSelectRoom }) {
  const roomList = document.getElementById('room-list');
  const title = document.getElementById('room-title');
  const messages = document.getElementById('messages');
  const formatting = document.getElementById('formatting');
  /** room name → { lines: [{ kind, value }], unread, private } */
  const rooms = new Map();
  let current;

  const renderLine = ({ kind, value }) => {
    const options = { formatting: formatting.checked };
    if (kind === 'message') return messageItem(value, options);
    if (kind === 'announcement') return announcementItem(value, options);
    return systemItem(value.text, value.at);
  };

  function renderRooms() {
    roomList.replaceChildren(
      ...[...rooms].map(([name, room]) => {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = `#${name}`;
        button.setAttribute('aria-current', String(name === current));
        if (room.private) {
          // Opened by invitation (or an admin's token): shown, so nobody mistakes it for open.
          button.dataset.private = 'true';
          const lock = document.createElement('span');
          lock.className = 'private';
          lock.textContent = 'private';
          button.append(lock);
        }
        if (room.unread > 0) {
          const badge = document.createElement('span');
          badge.className = 'unread';
          badge.textContent = String(room.unread);
          button.append(badge);
        }
        button.addEventListener('click', () => onSelectRoom(name));
        item.append(button);
        return item;
      }),
    );
  }

  function renderMessages() {
    const room = current === undefined ? undefined : rooms.get(current);
    title.textContent = current === undefined ? 'No room' : `#${current}`;
    messages.replaceChildren(...(room?.lines ?? []).map(renderLine));
    messages.scrollTop = messages.scrollHeight;
  }

  function remember() {
    sessionStorage.setItem(STORED_ROOMS, JSON.stringify([...rooms.keys()]));
  }

  function append(name, line) {
    const room = rooms.get(name);
    if (room === undefined) return;
    room.lines.push(line);
    if (room.lines.length > MAX_LINES_PER_ROOM) room.lines.shift();
    if (name === current) {
      messages.append(renderLine(line));
      messages.scrollTop = messages.scrollHeight;
    } else {
      room.unread += 1;
      renderRooms();
    }
  }

  formatting.addEventListener('change', renderMessages);

  return {
    get current() {
      return current;
    },
    /** Rooms to join after (re)connecting. */
    storedRooms() {
      try {
        const stored = JSON.parse(sessionStorage.getItem(STORED_ROOMS) ?? '[]');
        return Array.isArray(stored) && stored.length > 0 ? stored.map(String) : ['general'];
      } catch {
        return ['general'];
      }
    },
    addRoom(name, { private: isPrivate = false } = {}) {
      if (!rooms.has(name)) rooms.set(name, { lines: [], unread: 0, private: isPrivate });
      remember();
      renderRooms();
    },
    removeRoom(name) {
      rooms.delete(name);
      remember();
      if (current === name) current = rooms.keys().next().value;
      renderRooms();
      renderMessages();
    },
    select(name) {
      if (!rooms.has(name)) return;
      current = name;
      rooms.get(name).unread = 0;
      renderRooms();
      renderMessages();
    },
    message(message) {
      append(message.room, { kind: 'message', value: message });
    },
    announcement(announcement) {
      for (const name of rooms.keys()) append(name, { kind: 'announcement', value: announcement });
    },
    system(name, text, at) {
      append(name, { kind: 'system', value: { text, at } });
    },
    /** Forgets everything (signed out). */
    reset() {
      rooms.clear();
      current = undefined;
      sessionStorage.removeItem(STORED_ROOMS);
      renderRooms();
      renderMessages();
    },
  };
}
