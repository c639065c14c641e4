import type { Logger } from './log.js';
import type { ChannelAdapter } from './ports/channel.port.js';

/**
 * Starts a channel whose start needs its platform (Slack's Socket Mode opens a connection to
 * Slack) without making the service wait for it: a Slack outage, a proxy or DNS problem must not
 * keep e-mail, Teams and the web pages down. It tries again with growing pauses (5 s to 5 min)
 * until it succeeds or the service stops; `state` says where it is, for /healthz and the log.
 */
export function startInBackground(
  adapter: ChannelAdapter,
  state: { set(value: string): void },
  log: Logger,
  explain: (error: unknown) => string | undefined = () => undefined,
): { stop(): Promise<void> } {
  let stopped = false;
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;
  const tryStart = async () => {
    attempt += 1;
    try {
      await adapter.start();
      if (stopped) return;
      started = true;
      state.set('connected');
      if (attempt > 1) log.info({ channel: adapter.kind, attempt }, `${adapter.kind} is connected`);
    } catch (error) {
      if (stopped) return;
      const pauseMs = Math.min(5_000 * 2 ** (attempt - 1), 300_000);
      state.set('unreachable, retrying');
      log.warn({ err: error, channel: adapter.kind, retryInMs: pauseMs }, explain(error) ?? `${adapter.kind} could not start; trying again`);
      timer = setTimeout(() => void tryStart(), pauseMs);
      timer.unref();
    }
  };
  state.set('connecting');
  void tryStart();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (started) await adapter.stop();
    },
  };
}
