// A lean Socket.io client: the Engine.IO v4 / Socket.io v5 wire protocol over `ws`,
// with none of socket.io-client's per-message work, so the load generator costs far
// less CPU per message than the server it measures.
import WebSocket from 'ws';

const OPEN = '0';
const PING = '2';
const PONG = '3';

export class LeanClient {
  /** @type {WebSocket} */ ws;
  nextAckId = 0;
  /** Pending acks: id -> callback(payloadText). */
  pending = new Map();
  /** Called with (eventName, payloadText) for server-sent events. */
  onEvent = undefined;
  closed = false;

  /**
   * Connects and completes the Socket.io handshake.
   * Resolves with the client, or rejects with `{ code }` taken from the CONNECT_ERROR.
   */
  static connect(port, { auth, origin, headers, query } = {}) {
    return new Promise((resolve, reject) => {
      const client = new LeanClient();
      const url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket${query ? `&${query}` : ''}`;
      const ws = new WebSocket(url, {
        perMessageDeflate: false,
        headers: { ...(origin ? { origin } : {}), ...headers },
      });
      client.ws = ws;
      let connected = false;
      ws.on('message', (raw) => {
        const text = raw.toString();
        if (connected) return client.handle(text);
        if (text.startsWith(OPEN)) {
          ws.send(auth ? `40${JSON.stringify(auth)}` : '40');
        } else if (text.startsWith('40')) {
          connected = true;
          resolve(client);
        } else if (text.startsWith('44')) {
          const error = JSON.parse(text.slice(2));
          ws.close();
          reject(Object.assign(new Error(error.message), { code: error.data?.code }));
        } else if (text === PING) {
          ws.send(PONG);
        }
      });
      ws.on('error', (error) => {
        if (!connected) reject(error);
      });
      ws.on('unexpected-response', (_req, res) => {
        reject(
          Object.assign(new Error(`HTTP ${res.statusCode}`), { code: `HTTP_${res.statusCode}` }),
        );
      });
      ws.on('close', () => {
        client.closed = true;
        if (!connected) reject(Object.assign(new Error('closed'), { code: 'CLOSED' }));
        for (const callback of client.pending.values()) callback(null);
        client.pending.clear();
      });
    });
  }

  handle(text) {
    const type = text.charCodeAt(0);
    if (text === PING) {
      this.ws.send(PONG);
      return;
    }
    // '4' = Engine.IO message; then Socket.io packet type: '3' = ACK, '2' = EVENT
    if (type !== 52) return;
    const packetType = text.charCodeAt(1);
    if (packetType === 51) {
      let index = 2;
      let id = 0;
      while (index < text.length) {
        const digit = text.charCodeAt(index) - 48;
        if (digit < 0 || digit > 9) break;
        id = id * 10 + digit;
        index++;
      }
      const callback = this.pending.get(id);
      if (callback !== undefined) {
        this.pending.delete(id);
        callback(text.slice(index));
      }
    } else if (packetType === 50 && this.onEvent !== undefined) {
      const payload = text.slice(2);
      const end = payload.indexOf('"', 2);
      this.onEvent(payload.slice(2, end), payload);
    }
  }

  /** Sends an event whose args are already JSON text (`["echo",{...}]` without brackets). */
  emitRaw(argsJson, callback) {
    if (this.closed) {
      callback?.(null);
      return;
    }
    if (callback === undefined) {
      this.ws.send(`42[${argsJson}]`);
      return;
    }
    const id = this.nextAckId++;
    this.pending.set(id, callback);
    this.ws.send(`42${id}[${argsJson}]`);
  }

  close() {
    this.closed = true;
    this.ws.terminate();
  }
}
