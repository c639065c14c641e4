/**
 * A fake Slack Web API on loopback (the network edge of the Slack benchmarks): auth.test at start,
 * users.info with the e-mail of a member of the generated file (user `U<team>x<member>` →
 * team-<team>.m<member>@example.org), `ok` for everything else (chat.postMessage…).
 */
import { createServer, type Server } from 'node:http';

export function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    }),
  );
}

export async function fakeSlackApi(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const method = req.url?.split('/').pop()?.split('?')[0];
      const user = new URLSearchParams(body).get('user') ?? '';
      const match = /^U(\d{4})x(\d{2})$/.exec(user);
      const answer =
        method === 'auth.test'
          ? { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' }
          : method === 'users.info' && match
            ? { ok: true, user: { id: user, profile: { email: `team-${match[1]}.m${match[2]}@example.org` } } }
            : method === 'conversations.open'
              ? { ok: true, channel: { id: `D${user || 'X'}` } }
              : { ok: true, channel: 'D1', ts: '1.1' };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  return { url: `${await listen(server)}/api/`, close: () => server.close() };
}
