import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/http/metrics.js';
import { createHttpServer } from '../src/http/server.js';
import { createLogger } from '../src/log.js';
import { BUSY_SLICE_MS, interactiveStarted, interactiveWaiting, precedence, PrecedenceGate, runAs, SLICE_MS, sliceMs, type Precedence } from '../src/precedence.js';

/** Enters the gate at `as`; records the order in which places were given. */
function enterAs(gate: PrecedenceGate, as: Precedence, order: string[], name: string) {
  return gate.enter(as).then((leave) => (order.push(name), leave));
}

describe('precedence (src/precedence.ts)', () => {
  it('should carry the level through awaits and timers, interactive when unmarked', async () => {
    expect(precedence()).toBe('interactive');
    const seen = await runAs('background', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const inner = await runAs('delivery', async () => (await Promise.resolve(), precedence()));
      return [precedence(), inner];
    });
    expect(seen).toEqual(['background', 'delivery']);
    expect(precedence()).toBe('interactive');
  });

  it('should hand the place to requests first, then the dispatcher, then background, in arrival order within each', async () => {
    const gate = new PrecedenceGate(1);
    const order: string[] = [];
    const first = await gate.enter('background');
    // Each leaves as soon as it is in: the place then goes to the best of those still waiting.
    const waiting = (
      [
        ['background', 'background 1'],
        ['delivery', 'delivery 1'],
        ['interactive', 'interactive 1'],
        ['background', 'background 2'],
        ['interactive', 'interactive 2'],
      ] as const
    ).map(([as, name]) => enterAs(gate, as, order, name).then((leave) => leave()));
    expect(interactiveWaiting()).toBe(true);
    first();
    await Promise.all(waiting);
    expect(order).toEqual(['interactive 1', 'interactive 2', 'delivery 1', 'background 1', 'background 2']);
    expect(interactiveWaiting()).toBe(false);
    expect(gate.waiting).toBe(0);
  });

  it('should let the oldest waiter go after maxBypass places went past it (no starvation)', async () => {
    const gate = new PrecedenceGate(1, 2);
    const order: string[] = [];
    const first = await gate.enter('interactive');
    const waiting = [enterAs(gate, 'background', order, 'background'), ...[1, 2, 3].map((i) => enterAs(gate, 'interactive', order, `interactive ${i}`))].map((w) => w.then((leave) => leave()));
    first();
    await Promise.all(waiting);
    // Two requests went past the background waiter; then its turn, however many requests wait.
    expect(order).toEqual(['interactive 1', 'interactive 2', 'background', 'interactive 3']);
  });

  it('should give capacity places at once, and keep a left place for the next waiter', async () => {
    const gate = new PrecedenceGate(2);
    const a = await gate.enter('background');
    const b = await gate.enter('background');
    let entered = false;
    const c = gate.enter('background').then((leave) => ((entered = true), leave));
    await new Promise((resolve) => setImmediate(resolve));
    expect(entered).toBe(false);
    a();
    a(); // a second call gives nothing back twice
    (await c)();
    b();
    // Both places free again: two enter at once.
    const [d, e] = await Promise.all([gate.enter('background'), gate.enter('background')]);
    d();
    e();
  });

  it('should shorten background slices while a request is in flight, not a request\'s own', () => {
    const done = interactiveStarted();
    expect(runAs('background', sliceMs)).toBe(BUSY_SLICE_MS);
    expect(runAs('delivery', sliceMs)).toBe(BUSY_SLICE_MS);
    expect(runAs('interactive', sliceMs)).toBe(SLICE_MS);
    done();
    done();
    expect(interactiveWaiting()).toBe(false);
    expect(runAs('background', sliceMs)).toBe(SLICE_MS);
  });

  it('should run every HTTP request as interactive and count it in flight until answered', async () => {
    let seen: [Precedence, boolean] | undefined;
    // Made inside background work (a service started by it): requests are interactive all the same.
    const server = runAs('background', () =>
      createHttpServer({
        routes: [{ method: 'GET', path: /^\/x$/, name: 'x', handler: async (_req, res) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          seen = [precedence(), interactiveWaiting()];
          res.end('ok');
        } }],
        mounts: [],
        metrics: createMetrics(),
        log: createLogger('silent'),
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
      expect(await response.text()).toBe('ok');
      expect(seen).toEqual(['interactive', true]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(interactiveWaiting()).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
