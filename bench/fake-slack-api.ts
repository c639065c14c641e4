/**
 * A fake Slack Web API on loopback (the network edge of the Slack benchmarks): auth.test at start,
 * users.info with the e-mail `emailOf` gives for a user id (by default a member of the generated
 * file: user `U<team>x<member>` → team-<team>.m<member>@example.org), a DM channel for
 * conversations.open, `ok` for everything else (chat.postMessage, views.publish…).
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

/** The generated schedule's member behind a Slack user id `U<team>x<member>`. */
export function generatedMemberEmail(user: string): string | undefined {
  const match = /^U(\d{4})x(\d{2})$/.exec(user);
  return match ? `team-${match[1]}.m${match[2]}@example.org` : undefined;
}

export async function fakeSlackApi(emailOf: (user: string) => string | undefined = generatedMemberEmail): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const method = req.url?.split('/').pop()?.split('?')[0];
      const user = new URLSearchParams(body).get('user') ?? '';
      const email = emailOf(user);
      const answer =
        method === 'auth.test'
          ? { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' }
          : method === 'users.info' && email
            ? { ok: true, user: { id: user, profile: { email } } }
            : method === 'conversations.open'
              ? { ok: true, channel: { id: `D${user || 'X'}` } }
              : { ok: true, channel: 'D1', ts: '1.1' };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  // A benchmark's load opens many short connections; idle ones need not wait Node's default 5 s.
  server.keepAliveTimeout = 1000;
  return { url: `${await listen(server)}/api/`, close: () => server.close() };
}
