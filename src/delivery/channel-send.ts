import type { Logger } from '../log.js';
import type { ChannelKind, ChannelSender, Message, SendResult } from '../ports/channel.port.js';

/** How long one send may take before it counts as a temporary failure (the row is retried). */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;

/**
 * One send through a channel port. A channel that is off or an address not known yet fails for
 * good; a sender that throws, takes longer than `timeoutMs` or is cut off by `signal` (the
 * service stopping) counts as a temporary failure, so the row is kept and retried. The sender
 * gets the signal too, so a platform client that honours it drops the request at once.
 */
export async function sendThrough(
  senders: ReadonlyMap<ChannelKind, ChannelSender>,
  log: Logger,
  channel: ChannelKind | undefined,
  address: string | undefined,
  message: Message,
  limits: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<SendResult> {
  const sender = channel && senders.get(channel);
  if (!channel || !sender) return { ok: false, permanent: true, reason: `channel ${channel ?? '(none)'} is not turned on` };
  if (!address) return { ok: false, permanent: true, reason: `the person has no ${channel} link yet` };
  const timeoutMs = limits.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  // One controller per send, cut off by the service's stop signal or the timeout, both let go
  // of when the send ends. Not AbortSignal.any([stop, AbortSignal.timeout()]): on Node 20 a
  // combined signal with an abort listener is kept alive until it aborts, which a send that
  // ends in time never does, and the stop signal keeps a WeakRef to every one of them: a leak
  // of the signal, the listener and its closure for every message sent (issue 17, found in a
  // heap snapshot of the soak: 2,087 signals after 1,500 mails).
  const controller = new AbortController();
  const signal = controller.signal;
  const interrupt = () => controller.abort(new Error('interrupted: the service is stopping'));
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs).unref();
  if (limits.signal?.aborted) interrupt();
  else limits.signal?.addEventListener('abort', interrupt, { once: true });
  const cutOff = new Promise<never>((_resolve, reject) => {
    const stop = () => reject(signal.reason as Error);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
  cutOff.catch(() => undefined);
  try {
    // The superseded chat message is updated too, where the platform allows; its failure only loses the tidy-up.
    if (message.replaces && sender.update) {
      const updating = sender.update(address, message.replaces, { ...message, replaces: undefined }).catch((e: unknown) => ({ ok: false, reason: String(e) }) as const);
      const updated = await Promise.race([updating, cutOff]);
      if (!updated.ok) log.info({ channel, reason: updated.reason }, 'the earlier message could not be updated in place');
    }
    return await Promise.race([sender.send(address, { ...message, replaces: undefined }, { signal }), cutOff]);
  } catch (error) {
    // Senders should not throw; if one does, treat it as temporary and keep the row.
    return { ok: false, permanent: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
    limits.signal?.removeEventListener('abort', interrupt);
  }
}
