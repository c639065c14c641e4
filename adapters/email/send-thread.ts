import { Worker } from 'node:worker_threads';
import type { Message } from '../../src/ports/channel.port.js';
import type { SmtpSendOutcome } from './smtp-send.js';
import type { FromWorker, SendWorkerData, ToWorker } from './send-worker.js';

interface Pending {
  resolve: (outcome: SmtpSendOutcome) => void;
  /** Removes the send's abort listener. */
  done: () => void;
}

// From dist/ the thread runs the compiled file; from the sources (tsx, vitest) it imports the
// TypeScript file through tsx's API (a worker's --import is not honoured by every runner).
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = FROM_SOURCE
  ? `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(new URL('./send-worker.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`
  : new URL('./send-worker.js', import.meta.url);

/** A temporary failure: the row is retried, as after a dropped SMTP connection. */
function notSent(reason: string): SmtpSendOutcome {
  return { result: { ok: false, permanent: false, reason }, log: 'failed' };
}

/**
 * E-mail composed, built and sent on a worker thread (send-worker.ts) with its own SMTP pool:
 * the service's event loop only hands each message over and reads back its outcome. Building a
 * mail and speaking SMTP were about a third of the event loop's time while a lump of reminders
 * went out (docs/benchmarks.md, "Sixteenth session"), time taken from commands, feeds and the
 * rest of the lump; on a second core it runs beside them.
 *
 * The thread starts with the first send. If it ends (a bug in it, out of memory), the sends it
 * had fail as temporary failures (the rows are retried, as after a dropped SMTP connection: a
 * mail under way at that moment may have gone, and may go twice) and the next send starts a new
 * one. It keeps the process alive only while sends are under way.
 */
export class SendThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly data: SendWorkerData,
    /** Told when the thread ended with sends under way (they failed as temporary failures). */
    private readonly onLost: (error: unknown) => void,
  ) {}

  send(address: string, message: Message, signal?: AbortSignal): Promise<SmtpSendOutcome> {
    if (this.closed) return Promise.resolve(notSent('the e-mail sender is stopped'));
    // Given up before it started (the thread would take it up before hearing of the abort).
    if (signal?.aborted) return Promise.resolve(notSent(`not sent, given up before sending: ${reasonOf(signal)}`));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<SmtpSendOutcome>((resolve) => {
      const onAbort = () => this.post(worker, { type: 'abort', id, reason: reasonOf(signal!) });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { resolve, done: () => signal?.removeEventListener('abort', onAbort) });
      if (this.pending.size === 1) worker.ref();
      this.post(worker, { type: 'send', id, address, message });
    });
  }

  /** No new sends; those under way finish (their outcomes still arrive) and the thread ends with its connections. */
  close(): void {
    this.closed = true;
    if (this.worker) this.post(this.worker, { type: 'close' });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(ENTRY, { workerData: this.data, eval: FROM_SOURCE });
    this.worker = worker;
    worker.unref();
    worker.on('message', (reply: FromWorker) => this.settle(reply.id, reply.outcome));
    // An error ends the thread; 'exit' follows and fails what it had.
    let failure: unknown;
    worker.on('error', (error) => void (failure = error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      if (this.pending.size === 0) return;
      const reason = failure instanceof Error ? failure.message : `exit code ${code}`;
      this.onLost(failure ?? new Error(reason));
      for (const id of [...this.pending.keys()]) this.settle(id, notSent(`the e-mail sending thread stopped (${reason}); the mail may or may not have gone`));
    });
    return worker;
  }

  private settle(id: number, outcome: SmtpSendOutcome): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.done();
    if (this.pending.size === 0) this.worker?.unref();
    pending.resolve(outcome);
  }

  private post(worker: Worker, request: ToWorker): void {
    worker.postMessage(request);
  }
}

function reasonOf(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : 'the send was given up';
}
