import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listeningUrl, runKooperator, until } from '../process/service-process.js';

/**
 * Review finding 16: with Slack in Socket Mode (SLACK_APP_TOKEN), start-up awaited app.start(),
 * and a Slack it cannot reach (a proxy, DNS, an outage, a bad SLACK_API_URL) ended the whole
 * service, e-mail included, with a stack. Now Socket Mode connects in the background with
 * retries: the service is ready, /healthz says Slack's state, and the log says what is wrong
 * in the operator's terms (the SLACK_ setting), without a stack trace on stderr.
 */
describe('start-up with Slack Socket Mode and Slack unreachable', () => {
  it('should start without Slack, say so in /healthz and the log, and stop within 5 s', { timeout: 90_000 }, async () => {
    const service = runKooperator(['serve'], {
      PORT: '0',
      APP_SECRET: 'r'.repeat(40),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'koop-slack-')),
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_APP_TOKEN: 'xapp-1-A1-1-abc',
      SLACK_API_URL: 'http://127.0.0.1:1/api/',
    });
    try {
      await until(() => listeningUrl(service) !== undefined && /Kooperator is listening/.test(service.output()), 45_000, 'listening');
      const url = listeningUrl(service)!;
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const health = (await (await fetch(`${url}/healthz`)).json()) as { channels: { slack: string } };
      expect(health.channels.slack).toMatch(/^socket: (connecting|unreachable, retrying)$/);
      // The Web API client's own retries take about 30 s before the first attempt fails.
      await until(() => /"msg":"SLACK_API_URL: Slack could not be reached/.test(service.output()), 60_000, 'the SLACK_ warning');
      expect(((await (await fetch(`${url}/healthz`)).json()) as { channels: { slack: string } }).channels.slack).toBe('socket: unreachable, retrying');
      const sent = Date.now();
      service.child.kill('SIGTERM');
      const { code, at } = await service.exited;
      expect(code, service.output()).toBe(0);
      expect(at - sent).toBeLessThan(5_000);
    } finally {
      service.child.kill('SIGKILL');
    }
  });
});
