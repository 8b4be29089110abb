/* global document */
import { freshToken, signIn, signOut } from './api.js';
import { createChatView } from './chat-view.js';
import { openConnection } from './connection.js';
import { createNotices } from './notices.js';
import { describeGuardError } from './portcullis.js';
import { markupDropped } from './render.js';

const $ = (id) => document.getElementById(id);
const notices = createNotices();
const view = createChatView({ onSelectRoom: (name) => view.select(name) });

/** `{ token, expiresAt, user }` of the signed-in user, in memory only. */
let grant;
let connection;
let renewals = 0;
/** Connections opened since signing in: in-place renewals keep it at 1. */
let connections = 0;
let loggingOut = false;

const clock = (at) =>
  new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function setState(state) {
  document.body.dataset.state = state;
}

function setStatus(state) {
  const pill = $('connection');
  pill.dataset.state = state;
  pill.textContent = { online: 'Online', connecting: 'Connecting…', offline: 'Offline' }[state];
  if (grant !== undefined) setState(state);
}

function showSession() {
  $('token-expiry').textContent = grant === undefined ? '–' : clock(grant.expiresAt);
  $('token-renewals').textContent = `${renewals} ${renewals === 1 ? 'time' : 'times'}`;
}

/** Why the content rules refused a message (`CONTENT_REJECTED`, `info.reason`). */
const CONTENT_REASONS = {
  duplicate: 'You have sent that message several times already: write something new.',
  links: 'That message has too many links.',
  mentions: 'That message mentions too many people.',
  repetition: 'That message repeats one character too many times.',
  caps: 'Please do not shout: that message is mostly capital letters.',
  blocked: 'That message contains words this chat does not allow.',
};

/** The page's own sentences where a code alone would be vague. */
const SENTENCES = {
  'room:join VALIDATION_FAILED': 'Room names are 1 to 32 lower-case letters, digits or dashes.',
  'room:join FORBIDDEN': 'That room is private: an admin has to invite you.',
  'room:join CONNECTION_LIMIT': 'You are in as many rooms as you may be: leave one first.',
  'room:invite VALIDATION_FAILED': 'Only private rooms need invitations.',
  'chat:send FORBIDDEN': 'Join the room before writing in it.',
  'chat:send VALIDATION_FAILED': 'Messages are 1 to 1000 characters long.',
  'chat:send CONTENT_REJECTED': (info) => CONTENT_REASONS[info.info?.reason],
  'chat:send REPLAYED': (info) =>
    info.info?.duplicate === true
      ? 'That message was already delivered: it is not posted twice.'
      : undefined,
  'admin:broadcast FORBIDDEN': 'Only admins can send announcements.',
};

function sentenceFor(info) {
  const own = SENTENCES[`${info.event} ${info.code}`];
  return (typeof own === 'function' ? own(info) : own) ?? describeGuardError(info);
}

/** A refused message: a sentence, and for rate limits the wait, with the send button off. */
function refused(info) {
  const sentence = sentenceFor(info);
  if (info.code === 'RATE_LIMITED' && info.retryAfterMs !== undefined) {
    const send = $('send-button');
    send.disabled = true;
    notices.show(sentence, {
      code: info.code,
      countdownMs: info.retryAfterMs,
      sentenceFor: (leftMs) => describeGuardError({ ...info, retryAfterMs: leftMs }),
      onDone: () => {
        send.disabled = false;
        notices.show('You can send messages again.', { tone: 'good' });
      },
    });
    return;
  }
  notices.show(sentence, { code: info.code, tone: info.code === 'FORBIDDEN' ? 'bad' : 'warn' });
}

function showLogin() {
  grant = undefined;
  setState('signed-out');
  setStatus('offline');
  $('account').hidden = true;
  $('chat-view').hidden = true;
  $('login-view').hidden = false;
  $('admin-panel').hidden = true;
  view.reset();
  showSession();
  $('login-name').focus();
}

function endChat() {
  connection?.close();
  connection = undefined;
}

function signedOut(sentence, code) {
  endChat();
  showLogin();
  notices.show(sentence, { code, tone: 'bad' });
}

/** Invitations to private rooms received in this tab: room name → room token. */
const invites = new Map();
/** The last message this tab sent, as sent (id and time included): for the replay demo. */
let lastSent;

async function joinRoom(name) {
  const invite = invites.get(name);
  const reply = await connection?.emit('room:join', {
    room: name,
    ...(invite === undefined ? {} : { invite }),
  });
  if (reply?.ok !== true) return false;
  view.addRoom(name, { private: reply.private === true });
  if (view.current === undefined) view.select(name);
  return true;
}

/** A message id the server accepts, made here so the replay demo can send it again. */
function newMessageId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function sendMessage(room, text) {
  const message = { room, text, messageId: newMessageId(), sentAt: Date.now() };
  const reply = await connection?.emit('chat:send', message);
  if (reply?.ok === true) {
    lastSent = message;
    if (typeof reply.text === 'string' && markupDropped(reply.text)) {
      notices.show('Markup this chat does not allow was posted as text, so it cannot run.', {
        code: 'SANITIZED',
      });
    }
  }
  return reply;
}

function startChat(granted) {
  grant = granted;
  renewals = 0;
  connections = 0;
  const isAdmin = grant.user.roles.includes('admin');
  $('who').textContent = `${grant.user.id}${isAdmin ? ' (admin)' : ''}`;
  $('account').hidden = false;
  $('login-view').hidden = true;
  $('chat-view').hidden = false;
  $('admin-panel').hidden = !isAdmin;
  $('invite-panel').hidden = !isAdmin;
  showSession();
  connection = openConnection({
    token: grant.token,
    // Asked by @portcullis/client when the server warns that the token is about to
    // expire (the new one goes over the open socket), and before reconnecting after an
    // expired session. Throws when the sign-in has ended.
    async getToken() {
      const renewed = await freshToken();
      if (renewed === undefined) throw new Error('The sign-in has ended.');
      grant = renewed;
      showSession();
      return renewed.token;
    },
    renewed(expiresAt) {
      renewals += 1;
      if (typeof expiresAt === 'number') grant = { ...grant, expiresAt };
      showSession();
    },
    signedOut: (sentence, code) => {
      if (!loggingOut) signedOut(sentence, code);
    },
    refused,
    status: setStatus,
    notices,
    on: {
      async connected() {
        connections += 1;
        document.body.dataset.connections = String(connections);
        for (const name of view.storedRooms()) await joinRoom(name);
      },
      welcome: ({ node }) => {
        $('node-name').textContent = String(node);
      },
      message: (message) => view.message(message),
      announcement: (announcement) => view.announcement(announcement),
      roomEvent: ({ room, type, user, at }) =>
        view.system(room, `${String(user)} ${type === 'joined' ? 'joined' : 'left'}`, at),
      invited: ({ room, from, invite }) => {
        if (typeof room !== 'string' || typeof invite !== 'string') return;
        invites.set(room, invite);
        notices.show(`${String(from)} invited you to the private room #${room}.`, {
          tone: 'good',
          action: {
            label: `Open #${room}`,
            run: () => joinRoom(room).then(() => view.select(room)),
          },
        });
      },
      roomLeft: ({ room, code }) => {
        // The guard names Socket.io rooms: `private:backstage` is the page's `backstage`.
        const name = String(room).slice(String(room).indexOf(':') + 1);
        invites.delete(name);
        view.removeRoom(name);
        notices.show(
          code === 'SESSION_EXPIRED'
            ? `Your invitation to #${name} has ended.`
            : `You were taken out of #${name}.`,
          { code, tone: 'bad' },
        );
      },
      roomExpiring: ({ room, expiresAt }) => {
        const name = String(room).slice(String(room).indexOf(':') + 1);
        notices.show(`Your invitation to #${name} ends at ${clock(expiresAt)}.`, {
          code: 'SESSION_EXPIRED',
        });
      },
    },
  });
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  try {
    const granted = await signIn($('login-name').value.trim(), {
      short: $('login-short').checked,
    });
    notices.clear();
    startChat(granted);
  } catch (error) {
    $('login-error').textContent = error.message;
  }
});

$('logout').addEventListener('click', async () => {
  loggingOut = true;
  try {
    // Revokes this sign-in on the server: every tab using it, on every node, is cut.
    await signOut();
  } catch {
    // Offline: the cookie stays, but this tab forgets the token all the same.
  }
  endChat();
  showLogin();
  notices.show('You are logged out.', { tone: 'good' });
  loggingOut = false;
});

$('join-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('join-name');
  const name = input.value.trim().toLowerCase();
  if (name === '') return;
  if (await joinRoom(name)) {
    view.select(name);
    input.value = '';
  }
});

$('leave-room').addEventListener('click', async () => {
  const name = view.current;
  if (name === undefined) return;
  const reply = await connection?.emit('room:leave', { room: name });
  if (reply?.ok === true) view.removeRoom(name);
});

$('send-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('message-text');
  const text = input.value;
  if (text.trim() === '' || view.current === undefined) return;
  const reply = await sendMessage(view.current, text);
  if (reply?.ok === true) input.value = '';
});

$('message-text').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('send-form').requestSubmit();
  }
});

$('broadcast-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('broadcast-text');
  if (input.value.trim() === '') return;
  const reply = await connection?.emit('admin:broadcast', { text: input.value });
  if (reply?.ok === true) input.value = '';
});

$('invite-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('invite-user');
  const user = input.value.trim();
  if (user === '') return;
  const reply = await connection?.emit('room:invite', { room: 'backstage', user });
  if (reply?.ok === true) {
    notices.show(`Invited ${user} to #backstage.`, { tone: 'good' });
    input.value = '';
  }
});

// "Try the guards": each button does what an attacker or a careless client would, and
// the refusal shows up in the banner and the log with its code.
const TRIALS = {
  markup: () =>
    view.current === undefined
      ? undefined
      : sendMessage(view.current, '<img src=x onerror=alert(document.cookie)> <b>bold</b> stays'),
  flood: async () => {
    if (view.current === undefined) return;
    const at = new Date().toLocaleTimeString();
    // At once, as a script would: the rate limit (5 per 5 s) refuses the rest.
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        sendMessage(view.current, `flood ${index + 1} (${at})`),
      ),
    );
  },
  replay: async () => {
    if (lastSent === undefined) {
      notices.show('Send a message first: this sends that same packet again.');
      return;
    }
    await connection?.emit('chat:send', lastSent);
  },
  duplicate: async () => {
    if (view.current === undefined) return;
    const text = `the same message, again and again (${new Date().toLocaleTimeString()})`;
    for (let i = 0; i < 4; i++) if ((await sendMessage(view.current, text)) === undefined) break;
  },
  private: () => joinRoom('backstage'),
  'bad-room': () => connection?.emit('room:join', { room: '../Admin Room' }),
};
for (const button of document.querySelectorAll('#trials button[data-trial]')) {
  button.addEventListener('click', () => void TRIALS[button.dataset.trial]?.());
}

// A reload keeps the sign-in (the cookie) and gets a fresh token for this tab.
const existing = await freshToken().catch(() => undefined);
if (existing === undefined) showLogin();
else startChat(existing);
