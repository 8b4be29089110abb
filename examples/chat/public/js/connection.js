import { io } from '/vendor/socket.io/socket.io.esm.min.js';
import { describeGuardError, guardClient, readGuardError } from './portcullis.js';

const ACK_TIMEOUT_MS = 10_000;
/**
 * Events the server protects against replays: @portcullis/client stamps each with a
 * message id and its send time, and resends one whose answer was lost with the same id
 * (the server then answers "already delivered", never posts it twice).
 */
const REPLAY_EVENTS = ['chat:send'];
/** Codes after which the only way back in is to sign in again. */
const SIGNED_OUT = new Set(['SESSION_REVOKED', 'AUTH_REQUIRED', 'AUTH_INVALID']);
const EXPIRED = new Set(['SESSION_EXPIRED', 'AUTH_EXPIRED']);

/**
 * The socket of a signed-in tab. @portcullis/client does the protocol work: it renews
 * the token in place when the server warns that it is about to expire (the connection
 * carries on), and after a refused handshake or a server-initiated disconnect it follows
 * the advice for the code: reconnect after the wait the server asked for, reconnect with
 * a fresh token, or stop. This module turns each of those moments into a sentence.
 *
 * `app` supplies the token and the reactions: `{ token, getToken(), renewed(expiresAt),
 * signedOut(sentence, code), refused(info), status(state), notices, on: { welcome,
 * message, announcement, roomEvent, invited, roomLeft, roomExpiring, connected } }`.
 */
export function openConnection(app) {
  const socket = io({ auth: { token: app.token }, autoConnect: false });
  let closed = false;
  let recovering = false;

  const reconnect = () => {
    if (!closed && !socket.connected) {
      app.status('connecting');
      socket.connect();
    }
  };

  /** A refused handshake, or the server closing the socket: say why and what happens next. */
  function explain(info, advice) {
    const sentence = describeGuardError(info, { refreshing: advice.action === 'refresh-token' });
    // Revoked, invalid, or expired with no fresh token to be had: back to the sign-in form.
    if (SIGNED_OUT.has(info.code) || (EXPIRED.has(info.code) && advice.action === 'stop')) {
      app.signedOut(sentence, info.code);
      return;
    }
    if (advice.action === 'refresh-token') {
      // The client gets a new token from `getToken` and reconnects with it.
      recovering = true;
      app.notices.show(sentence, { code: info.code });
    } else if (advice.action === 'retry') {
      recovering = true;
      app.notices.show(sentence, {
        code: info.code,
        countdownMs: advice.delayMs,
        sentenceFor: (leftMs) => describeGuardError({ ...info, retryAfterMs: leftMs }),
      });
    } else {
      app.notices.show(sentence, {
        code: info.code,
        tone: 'bad',
        action: { label: 'Try again', run: reconnect },
      });
    }
  }

  const guard = guardClient(socket, {
    getToken: app.getToken,
    replayEvents: REPLAY_EVENTS,
    onRefresh(result) {
      if (result.ok && result.sent) {
        app.renewed(result.expiresAt);
      } else if (!result.ok && result.reason === 'token-unavailable') {
        // The sign-in behind the tokens has ended (or the server cannot be reached).
        if (socket.connected) {
          app.notices.show(
            'Your session could not be renewed; this tab will be signed out when its token expires.',
            { code: 'SESSION_EXPIRED' },
          );
        } else {
          app.signedOut('Your sign-in has ended; please sign in again.', 'SESSION_EXPIRED');
        }
      }
    },
    // Messages refused without an ack, and refused renewals.
    onRefusal: (info) => app.refused(info),
    onHandshakeRefusal: explain,
    onDisconnectNotice: explain,
  });

  socket.on('connect', () => {
    app.status('online');
    if (recovering) app.notices.show('You are back online.', { tone: 'good' });
    recovering = false;
    app.on.connected();
  });

  socket.on('disconnect', (reason) => {
    if (closed) return;
    if (reason === 'io server disconnect') {
      app.status('offline');
      // With a `portcullis:disconnect` notice, `explain` has already said why.
      if (!recovering) {
        app.notices.show('The server closed the connection.', {
          action: { label: 'Reconnect', run: reconnect },
        });
      }
    } else {
      // Network trouble: socket.io reconnects by itself, with backoff.
      app.status('connecting');
    }
  });

  socket.on('connect_error', (error) => {
    if (closed || readGuardError(error) !== undefined) return;
    // No code: the server could not be reached, or refused the request before Socket.io
    // spoke (an origin refusal is a bare HTTP 403). socket.io keeps trying.
    app.status('connecting');
    app.notices.show('Cannot reach the chat server; retrying…', { code: 'NETWORK' });
  });

  socket.on('chat:welcome', (welcome) => app.on.welcome(welcome));
  socket.on('chat:message', (message) => app.on.message(message));
  socket.on('chat:announcement', (announcement) => app.on.announcement(announcement));
  socket.on('room:event', (event) => app.on.roomEvent(event));
  socket.on('room:invited', (invitation) => app.on.invited(invitation));
  // The rooms guard took this tab out of a room (an invitation ended or was revoked).
  socket.on('portcullis:room-left', (left) => app.on.roomLeft(left));
  socket.on('portcullis:room-expiring', (expiring) => app.on.roomExpiring(expiring));

  app.status('connecting');
  socket.connect();

  return {
    /**
     * Sends an event with an ack. Answers the reply, or `undefined` after explaining a
     * refusal (the size pre-check's, or the server's) or a timeout to the user.
     */
    async emit(event, payload) {
      const tooLarge = guard.checkSize(event, payload);
      if (tooLarge !== undefined) {
        app.refused(tooLarge);
        return undefined;
      }
      let reply;
      try {
        reply = REPLAY_EVENTS.includes(event)
          ? await guard.emitWithAck(event, payload)
          : await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
      } catch {
        app.notices.show('The server did not answer in time; check your connection.', {
          code: 'TIMEOUT',
        });
        return undefined;
      }
      const info = readGuardError(reply);
      if (info !== undefined) {
        app.refused({ ...info, event: info.event ?? event });
        return undefined;
      }
      return reply;
    },
    close() {
      closed = true;
      guard.dispose();
      socket.disconnect();
    },
  };
}
