import type { Logger } from '../log.js';
import type { ChannelKind, ChannelSender, Message, SendResult } from '../ports/channel.port.js';

/**
 * One send through a channel port. A channel that is off or an address not known yet fails for
 * good; a sender that throws counts as a temporary failure, so the row is kept and retried.
 */
export async function sendThrough(
  senders: ReadonlyMap<ChannelKind, ChannelSender>,
  log: Logger,
  channel: ChannelKind | undefined,
  address: string | undefined,
  message: Message,
): Promise<SendResult> {
  const sender = channel && senders.get(channel);
  if (!channel || !sender) return { ok: false, permanent: true, reason: `channel ${channel ?? '(none)'} is not turned on` };
  if (!address) return { ok: false, permanent: true, reason: `the person has no ${channel} link yet` };
  try {
    // The superseded chat message is updated too, where the platform allows; its failure only loses the tidy-up.
    if (message.replaces && sender.update) {
      const updated = await sender.update(address, message.replaces, { ...message, replaces: undefined }).catch((e: unknown) => ({ ok: false, reason: String(e) }) as const);
      if (!updated.ok) log.info({ channel, reason: updated.reason }, 'the earlier message could not be updated in place');
    }
    return await sender.send(address, { ...message, replaces: undefined });
  } catch (error) {
    // Senders should not throw; if one does, treat it as temporary and keep the row.
    return { ok: false, permanent: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
