import { parentPort, workerData } from 'node:worker_threads';
import type { Message } from '../../src/ports/channel.port.js';
import { sendOverSmtp, type SmtpSendOutcome } from './smtp-send.js';
import { SmtpPool, type SmtpPoolOptions } from './smtp-pool.js';

/**
 * The e-mail sending thread (send-thread.ts): composes, builds and sends each mail over its own
 * SMTP pool, so that this work (about a third of the service's CPU while a lump of reminders
 * goes out) runs beside the service's event loop instead of on it. It holds nothing the service
 * needs back but each send's outcome.
 */
export interface SendWorkerData {
  smtpUrl: string;
  from: string;
  defaults: SmtpPoolOptions;
}

export type ToWorker =
  | { type: 'send'; id: number; address: string; message: Message }
  | { type: 'abort'; id: number; reason: string }
  | { type: 'close' };

export type FromWorker = { type: 'outcome'; id: number; outcome: SmtpSendOutcome };

const port = parentPort!;
const data = workerData as SendWorkerData;
const pool = new SmtpPool(data.smtpUrl, data.defaults);
/** Sends under way, by id: aborted when the service gives one up (its timeout, a stop). */
const sending = new Map<number, AbortController>();

port.on('message', (request: ToWorker) => {
  if (request.type === 'send') {
    const controller = new AbortController();
    sending.set(request.id, controller);
    void sendOverSmtp(pool, data.from, request.address, request.message, controller.signal).then((outcome) => {
      sending.delete(request.id);
      port.postMessage({ type: 'outcome', id: request.id, outcome } satisfies FromWorker);
    });
  } else if (request.type === 'abort') {
    sending.get(request.id)?.abort(new Error(request.reason));
  } else {
    pool.close();
    // Nothing more will come: the port no longer keeps the thread alive once open connections end.
    port.close();
  }
});
