import { describe, expect, it } from 'vitest';
import { toSendResult } from '../../../adapters/slack/slack-sender.js';

/**
 * chat.postMessage answers `{"ok":false,"error":"rate_limited"}` ("Application has posted too
 * many messages, read the Rate Limit documentation") with HTTP 200: a refusal for pace in
 * Slack's own words, which must slow the pace, not spend an attempt.
 */
describe('Slack\'s rate_limited platform error', () => {
  it('should report chat.postMessage\'s rate_limited error as a refusal for pace', () => {
    const result = toSendResult({ code: 'slack_webapi_platform_error', data: { ok: false, error: 'rate_limited' } });
    expect(result).toMatchObject({ ok: false, permanent: false, rateLimited: true });
  });
});
