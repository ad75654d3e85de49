import { connect } from 'node:net';

/** The CancelRequest code of the PostgreSQL protocol (1234 << 16 | 5678). */
const CANCEL_REQUEST_CODE = 80877102;

/**
 * Sends PostgreSQL's CancelRequest for a backend: a 16-byte packet on a new socket, answered by
 * the server closing it. No authentication is involved, so it costs a TCP connect and nothing
 * else. Never throws; gives up after `timeoutMs`. Resolves true when the server took the packet and
 * closed the socket (the backend has been signalled), false on an error or the timeout.
 */
export function sendCancelRequest(
  target: { host: string; port: number; processID: number; secretKey: number },
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
    packet.writeInt32BE(target.processID, 8);
    packet.writeInt32BE(target.secretKey, 12);
    // A host that is a directory is a Unix socket, as libpq and node-postgres read it.
    const socket = target.host.startsWith('/') ? connect(`${target.host}/.s.PGSQL.${target.port}`) : connect(target.port, target.host);
    let sent = false;
    const done = (delivered: boolean) => {
      socket.destroy();
      resolve(delivered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.end(packet, () => (sent = true)));
    // Read (nothing arrives) so that the server's close is seen at once.
    socket.resume();
    socket.once('error', () => done(false));
    socket.once('close', () => done(sent));
  });
}
