import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { eventLoopDelayMetrics } from './event-loop-delay.js';

/** One registry per service instance, so tests can run several side by side. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kooperator_' });
  const httpRequests = new Counter({
    name: 'kooperator_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'kooperator_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const eventLoopDelay = eventLoopDelayMetrics(registry);
  return { registry, httpRequests, httpDuration, eventLoopDelay };
}

export type Metrics = ReturnType<typeof createMetrics>;
