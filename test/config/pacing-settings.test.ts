import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEFAULT_PACING, platformPacing } from '../../src/delivery/platform-pacing.js';

const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'koop-pacing-')), ...env });

describe('pacing settings', () => {
  it('should pace at the documented defaults when nothing is set', () => {
    expect(load({}).pacing).toEqual(DEFAULT_PACING);
    expect(DEFAULT_PACING).toMatchObject({ slackChannel: { perSecond: 1 }, teams: { perSecond: 50 }, recoveryMs: 10_000 });
  });

  it('should take each platform\'s rate and burst from its setting', () => {
    const pacing = load({
      SLACK_MESSAGES_PER_SECOND: '2.5',
      SLACK_BURST: '4',
      SLACK_CHANNEL_MESSAGES_PER_SECOND: '0.5',
      SLACK_CHANNEL_BURST: '1',
      TEAMS_MESSAGES_PER_SECOND: '30',
      TEAMS_BURST: '30',
      TEAMS_CONVERSATION_MESSAGES_PER_SECOND: '2',
      TEAMS_CONVERSATION_BURST: '4',
      SMTP_MESSAGES_PER_SECOND: '3',
      SMTP_BURST: '6',
      PACE_RECOVERY_SECONDS: '30',
    }).pacing;
    expect(pacing).toEqual({
      slack: { perSecond: 2.5, burst: 4 },
      slackChannel: { perSecond: 0.5, burst: 1 },
      teams: { perSecond: 30, burst: 30 },
      teamsConversation: { perSecond: 2, burst: 4 },
      email: { perSecond: 3, burst: 6 },
      recoveryMs: 30_000,
    });
    expect(platformPacing('slack', 'C1', pacing)).toEqual([
      { key: 'slack', perSecond: 2.5, burst: 4 },
      { key: 'slack:C1', perSecond: 0.5, burst: 1 },
    ]);
    expect(platformPacing('email', 'a@example.org', pacing)).toEqual([{ key: 'email', perSecond: 3, burst: 6 }]);
  });

  it.each([
    ['SLACK_MESSAGES_PER_SECOND', '0'],
    ['SMTP_MESSAGES_PER_SECOND', 'fast'],
    ['TEAMS_BURST', '2.5'],
    ['SLACK_CHANNEL_BURST', '0'],
    ['PACE_RECOVERY_SECONDS', '0'],
  ])('should stop the start with one line naming %s=%s', (name, value) => {
    let error: unknown;
    try {
      load({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${name}: must be .*Example of a good value: \\S+`));
  });
});
