import { getEventListeners } from 'node:events';
import { queryObjects } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { sendThrough } from '../../src/delivery/channel-send.js';
import { createLogger } from '../../src/log.js';
import type { ChannelKind, ChannelSender, Message } from '../../src/ports/channel.port.js';

const log = createLogger('silent');
const message: Message = { title: 'Spotkanie', text: 'Przypomnienie' } as Message;

describe('sendThrough', () => {
  it("lets go of every send's abort signal once the send ends (a long-running service sends without growing)", async () => {
    const seen: AbortSignal[] = [];
    const sender: ChannelSender = { kind: 'email', send: async (_address, _message, options) => (seen.push(options!.signal!), { ok: true }) };
    const senders = new Map<ChannelKind, ChannelSender>([['email', sender]]);
    const stop = new AbortController();
    const send = () => sendThrough(senders, log, 'email', 'a@example.org', message, { signal: stop.signal, timeoutMs: 60_000 });
    await send();
    seen.length = 0;
    const before = queryObjects(AbortSignal, { format: 'count' });
    for (let i = 0; i < 300; i++) expect(await send()).toEqual({ ok: true });
    seen.length = 0;
    // queryObjects counts after a full collection: what is left is what something still holds.
    expect(queryObjects(AbortSignal, { format: 'count' }) - before).toBeLessThan(10);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('still cuts a send off when the service stops and when it takes too long', async () => {
    const hang: ChannelSender = { kind: 'email', send: () => new Promise(() => undefined) };
    const senders = new Map<ChannelKind, ChannelSender>([['email', hang]]);
    const stop = new AbortController();
    const stopped = sendThrough(senders, log, 'email', 'a@example.org', message, { signal: stop.signal, timeoutMs: 60_000 });
    stop.abort();
    expect(await stopped).toEqual({ ok: false, permanent: false, reason: 'interrupted: the service is stopping' });
    expect(await sendThrough(senders, log, 'email', 'a@example.org', message, { signal: new AbortController().signal, timeoutMs: 20 })).toEqual({ ok: false, permanent: false, reason: 'no answer within 0.02 s' });
    expect(await sendThrough(senders, log, 'email', 'a@example.org', message, { signal: AbortSignal.abort(), timeoutMs: 60_000 })).toEqual({ ok: false, permanent: false, reason: 'interrupted: the service is stopping' });
  });
});
