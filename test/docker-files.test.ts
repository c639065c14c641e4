import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Readiness, not liveness, decides whether a replica gets users: /healthz answers 200 while
// the service is still starting or has lost its database.
describe('the Docker image and compose file', () => {
  it("should check the service's health on /readyz", () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/HEALTHCHECK[^\n]*\\\n[^\n]*\/readyz/);
    expect(dockerfile).not.toContain('/healthz');
    const compose = readFileSync('compose.yaml', 'utf8');
    const kooperator = compose.slice(compose.indexOf('  kooperator:'));
    expect(kooperator).toMatch(/healthcheck:\n\s+test: .*\/readyz/);
  });
});
