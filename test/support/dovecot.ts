import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

/**
 * A real Dovecot (Debian's dovecot-imapd, /usr/sbin/dovecot) for the IMAP tests: a temporary
 * configuration on a free 127.0.0.1 port, passwd-file authentication with one test user, a
 * maildir in a temporary folder, no TLS. It runs as the current user (no root needed); started
 * as root (a container), it drops to Dovecot's own unprivileged users, as Dovecot insists.
 *
 * `dovecotOrSkip()` answers why it cannot start (not installed, refused to start) so a suite
 * skips with that reason; with REQUIRE_DOVECOT=1 (`.ci/run`) it throws instead.
 */
export const DOVECOT = '/usr/sbin/dovecot';
export const IMAP_USER = 'kooperator';
export const IMAP_PASSWORD = 'sekret-testowy';

export interface Dovecot {
  port: number;
  /** `imap://user:pass@127.0.0.1:port/INBOX`, as IMAP_URL takes it. */
  url: string;
  /** A client of the test mailbox, for putting mail in (APPEND) and looking at flags. */
  client(): Promise<ImapFlow>;
  /** Stops the server (for reconnect tests); `start()` brings it back on the same port and maildir. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('data', (data) => (socket.destroy(), resolve(data.toString().startsWith('* OK'))));
    socket.once('error', () => resolve(false));
  });

function uidOf(name: string): number | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  return line ? Number(line.split(':')[2]) : undefined;
}

function configuration(dir: string, port: number): string {
  const root = process.getuid?.() === 0;
  const me = userInfo();
  // As root: Dovecot refuses root for its login processes and for mail; use its own users and nobody's uid for the mailbox.
  const internal = root ? (uidOf('dovecot') !== undefined ? 'dovecot' : 'nobody') : me.username;
  const login = root ? (uidOf('dovenull') !== undefined ? 'dovenull' : 'nobody') : me.username;
  const mailUid = root ? (uidOf('nobody') ?? 65534) : me.uid;
  const mailGid = root ? mailUid : me.gid;
  if (root) chownSync(join(dir, 'home'), mailUid, mailGid);
  return `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${internal}
default_internal_group = ${root ? internal : String(process.getgid?.() ?? me.gid)}
default_login_user = ${login}
first_valid_uid = ${Math.min(mailUid, 100)}
first_valid_gid = ${Math.min(mailGid, 100)}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${dir}/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`;
}

/** Starts Dovecot, or says why it cannot (for `describe.skipIf`). */
export async function startDovecot(): Promise<Dovecot> {
  if (!existsSync(DOVECOT)) throw new Error(`${DOVECOT} is not installed (Debian: apt-get install dovecot-imapd)`);
  const dir = mkdtempSync(join(tmpdir(), 'kooperator-dovecot-'));
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state', 'home']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'passwd'), `${IMAP_USER}:{PLAIN}${IMAP_PASSWORD}::::::\n`, { mode: 0o644 });
  const port = await freePort();
  writeFileSync(join(dir, 'dovecot.conf'), configuration(dir, port));
  let child: ChildProcess | undefined;

  const start = async () => {
    const started = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' });
    child = started;
    let exited = false;
    started.once('exit', () => (exited = true));
    for (let i = 0; i < 100 && !exited; i++) {
      if (await accepts(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const logText = existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
    started.kill('SIGKILL');
    throw new Error(`Dovecot did not start on 127.0.0.1:${port}${logText ? `: ${logText}` : ''}`);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const gone = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 3000))]);
    if (running.exitCode === null) running.kill('SIGKILL');
  };

  try {
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const url = `imap://${IMAP_USER}:${IMAP_PASSWORD}@127.0.0.1:${port}/INBOX`;
  return {
    port,
    url,
    async client() {
      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user: IMAP_USER, pass: IMAP_PASSWORD }, logger: false });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Dovecot, or the reason it cannot run here: a suite skips with it, unless REQUIRE_DOVECOT=1 (then it fails). */
export async function dovecotOrSkip(): Promise<{ dovecot?: Dovecot; skip?: string }> {
  try {
    return { dovecot: await startDovecot() };
  } catch (error) {
    const reason = `Dovecot cannot start, so the IMAP tests are skipped: ${error instanceof Error ? error.message : String(error)}`;
    if (process.env.REQUIRE_DOVECOT === '1') throw new Error(`${reason} (REQUIRE_DOVECOT=1)`);
    console.warn(reason);
    return { skip: reason };
  }
}
