export const USAGE = `Usage: npx @portcullis/probe <url> [options]

Checks that the Socket.io server at <url> refuses what it should. Probe only servers
you own: the host must resolve to loopback or private addresses unless you add
--i-own-this-host.

Connection
  --origin <origin>          an Origin the server allows (default: the URL's origin)
  --foreign-origin <origin>  the foreign page's Origin (default https://portcullis-probe.invalid)
  --path <path>              Engine.IO path (default /socket.io/)
  --namespace <nsp>          namespace (default: the URL's path, else /)
Tokens (sent as auth.token)
  --token <jwt>              a valid token (or env PORTCULLIS_PROBE_TOKEN)
  --hs256-secret <key>       a test HS256 key: the probe makes valid and expired tokens
                             (or env PORTCULLIS_PROBE_HS256_SECRET)
  --claims <json>            claims of the tokens it makes (default {"sub":"portcullis-probe"})
  --expired-token <jwt>      an expired token, when the probe cannot make one
  --login-url <url|path>     your login endpoint instead of --token: POSTed --login-body,
                             its JSON answer's token is used, its cookies go to the logout
  --login-body <json>        the login's JSON body (default {})
Messages
  --event <name>             an event the server handles (needed by the message checks)
  --payload <json>           a payload the server accepts for it (default {})
  --flood-count <n>          most messages the flood sends (default 200, max 10000)
  --flood-seconds <s>        longest the flood lasts (default 5, max 60)
  --oversize-bytes <n>       size of the oversized message (default 102400)
  --mutation-count <n>       most mutated payloads of field-types (default 40, max 200)
  --room-field <path>        the field of --payload naming the room --event writes into
                             (foreign-room: rooms this client is not in must be refused)
Replays
  --replay-event <name>      an event protected against replays (needed by replay)
  --replay-payload <json>    a payload it accepts, without the id and time (default {})
  --replay-id-field <name>   the field with the message id (default messageId)
  --replay-time-field <name> the field with the send time in epoch ms (default sentAt)
Namespaces
  --namespaces <list>        comma-separated namespaces that must refuse a socket without
                             a token, e.g. /admin,/chat (/admin and /internal are tried too)
Sanitized fields (the sanitize checks need them)
  --sanitized-fields <list>  fields your server sanitizes, e.g. text or meta.bio
  --sanitized-event <name>   their event (default --event)
  --sanitized-payload <json> a payload it acks (default --payload for the same event)
  --markup-bytes <n>         size of the markup bomb, just under your limit (default 61440)
  --markup-delay-ms <ms>     how much longer others may wait meanwhile (default 50)
Logout
  --logout-url <url|path>    POSTed with Authorization: Bearer <token> (and the login's
                             cookies); must cut every socket of the sign-in
  --sessions <n>             sessions the logout must cut (default 2, max 10)
Run
  --only <ids>               comma-separated checks or groups (origin, transport, auth,
                             messages, sanitize, logout)
  --skip <ids>               checks or groups to leave out
  --timeout-ms <ms>          longest wait for one answer (default 3000)
  --max-connections <n>      most handshakes and HTTP requests (default 40)
  --json                     print the report as JSON (for CI): each attempt's observed
                             outcome next to its verdict
  --i-own-this-host          allow a host with public addresses
  -h, --help                 this text

Verdicts come from what the server did, whatever it names its errors: a handshake
that does not connect, or a packet answered with an error (ack, error event,
disconnect), is refused. "no answer" (nothing in time) is neither pass nor fail.

Exit code: 0 when no check was seen to fail (passes, no answers and not-applicable
ones only), 1 when one was, 2 for bad options or a refused host.
`;
