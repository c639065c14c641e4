import { connect } from 'node:net';

/**
 * What a raw client sees: a request head declaring `declared` bytes of body (no Content-Length
 * when 0), then only `sent` of them, then (when given) `then`, a next request on the same
 * socket. Resolves with everything that came back and whether the server ended the connection
 * within `withinMs`.
 */
export function rawExchange(
  port: number,
  head: string,
  { declared = 0, sent = 0, then = '', contentType = 'application/octet-stream', withinMs = 2000 }: { declared?: number; sent?: number; then?: string; contentType?: string; withinMs?: number } = {},
): Promise<{ answer: string; ended: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => (socket.destroy(), resolve({ answer, ended: false })), withinMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => (clearTimeout(timer), resolve({ answer, ended: true })));
    socket.write(`${head}\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\n${declared > 0 ? `Content-Length: ${declared}\r\n` : ''}\r\n`);
    if (sent > 0) socket.write(Buffer.alloc(sent, 'x'));
    if (then) socket.write(then);
  });
}
