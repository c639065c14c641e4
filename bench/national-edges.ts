/**
 * The network edge of the national benchmark: an SMTP sink and a fake Slack Web API that record
 * every message with the real instant it arrived, and hand each e-mail's signed links to the
 * members who act on them (RSVP, check-in form).
 */
import { createServer, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';

export interface Arrival {
  /** Message-ID for e-mail, "channel:ts" for Slack: what the service records as provider_id. */
  id: string;
  at: number;
  to: string;
}

export interface Edges {
  smtpUrl: string;
  slackApiUrl: string;
  /**
   * Where a command's answer goes when it was not ready within Slack's ack budget (Slack's
   * response_url). On loopback, as every other edge: an unresolvable host there (it was
   * hooks.slack.invalid) made each late answer a DNS lookup of about 70 ms on libuv's four
   * threads (660 were waiting in one sample), ahead of whatever else needs them (gzip, files).
   */
  responseUrl: string;
  /** Answers that came through responseUrl (late ones). */
  lateAnswers(): number;
  arrivals: Arrival[];
  close(): Promise<void>;
}

export async function startEdges(options: { slackEmail: (user: string) => string | undefined; onMail: (to: string, raw: string) => void }): Promise<Edges> {
  const arrivals: Arrival[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 20 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const at = Date.now();
        const raw = Buffer.concat(chunks).toString('latin1');
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        const id = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(raw)?.[1] ?? `(none ${arrivals.length})`;
        arrivals.push({ id, at, to });
        callback();
        options.onMail(to, raw);
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as { port: number }).port;

  let ts = 0;
  let late = 0;
  const slack: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = Date.now();
      const body = Buffer.concat(chunks).toString('utf8');
      const method = req.url?.split('/').pop()?.split('?')[0];
      const params = req.headers['content-type']?.includes('json') ? (JSON.parse(body || '{}') as Record<string, string>) : Object.fromEntries(new URLSearchParams(body));
      let answer: object = { ok: true };
      if (req.url?.startsWith('/commands/')) late++;
      else if (method === 'auth.test') answer = { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' };
      else if (method === 'users.info') {
        const email = options.slackEmail(params.user ?? '');
        answer = email ? { ok: true, user: { id: params.user, profile: { email } } } : { ok: false, error: 'user_not_found' };
      } else if (method === 'chat.postMessage') {
        const channel = `D${params.channel ?? ''}`;
        const stamp = `${1_800_000_000 + ++ts}.000100`;
        arrivals.push({ id: `${channel}:${stamp}`, at, to: params.channel ?? '' });
        answer = { ok: true, channel, ts: stamp };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  slack.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  const slackPort = (slack.address() as { port: number }).port;
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    slackApiUrl: `http://127.0.0.1:${slackPort}/api/`,
    responseUrl: `http://127.0.0.1:${slackPort}/commands/T1/1/x`,
    lateAnswers: () => late,
    arrivals,
    close: async () => {
      slack.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => smtp.close(() => resolve())), new Promise<void>((resolve) => slack.close(() => resolve()))]);
    },
  };
}

/** The signed links a mail carries (quoted-printable soft breaks removed; tokens have no '='). */
export function linksIn(raw: string): { rsvp: { token: string; answer: string }[]; forms: { token: string; form: string }[] } {
  const text = raw.replace(/=\r?\n/g, '');
  const payload = (token: string) => {
    try {
      return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { x?: Record<string, string> };
    } catch {
      return {};
    }
  };
  const seen = new Set<string>();
  const rsvp: { token: string; answer: string }[] = [];
  const forms: { token: string; form: string }[] = [];
  for (const m of text.matchAll(/\/(rsvp|forms)\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g)) {
    const token = m[2]!;
    if (seen.has(token)) continue;
    seen.add(token);
    const x = payload(token).x ?? {};
    if (m[1] === 'rsvp' && x.answer) rsvp.push({ token, answer: x.answer });
    if (m[1] === 'forms' && x.form) forms.push({ token, form: x.form });
  }
  return { rsvp, forms };
}
