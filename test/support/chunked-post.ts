import { request } from 'node:http';

export type ChunkedAnswer = { status: number; body: string; connection: string | undefined } | { error: string };

/**
 * POSTs `parts` one after another with no content-length (chunked transfer-encoding, as a
 * browser or proxy may send a form); resolves the answer, or the socket's error code
 * (ECONNRESET when the server reset the connection instead of answering).
 */
export function postChunked(url: string, parts: Buffer[], headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }): Promise<ChunkedAnswer> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), connection: res.headers.connection }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    for (const part of parts) req.write(part);
    req.end();
  });
}

/** Sends the first part of a chunked POST and goes away before the body ends. */
export function abortMidBody(url: string, first: Buffer, headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers });
    req.on('error', () => undefined);
    req.write(first, () => setTimeout(() => (req.destroy(), resolve()), 50));
  });
}
