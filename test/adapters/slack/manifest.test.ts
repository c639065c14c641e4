import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const dir = join(import.meta.dirname, '../../../adapters/slack');
const manifest = parse(readFileSync(join(dir, 'manifest.yaml'), 'utf8'));
const code = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(join(dir, f), 'utf8'))
  .join('\n');

/** The bot scopes each Web API method and Bolt listener needs (docs.slack.dev/reference/methods). */
const scopesOf: Record<string, string[]> = {
  'users.info': ['users:read', 'users:read.email'],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'views.open': [],
  'views.publish': [],
  'auth.test': [],
  'app.command': ['commands'],
  // The slash command answered by a global middleware (slack-listeners.ts) instead of app.command.
  'slash command middleware': ['commands'],
  'app.action': [],
  'app.view': [],
  "app.event('app_home_opened'": [],
};

describe('the Slack app manifest', () => {
  it('should ask for exactly the bot scopes the adapter uses', () => {
    const methods = [...code.matchAll(/client\.(\w+)\.(\w+)\(/g)].map((m) => `${m[1]}.${m[2]}`);
    const listeners = [...code.matchAll(/app\.(command|action|view|event\('\w+')/g)].map((m) => `app.${m[1]}`);
    const middleware = /\.command\.command === deps\.command/.test(code) ? ['slash command middleware'] : [];
    const used = [...new Set([...methods, ...listeners, ...middleware])];
    for (const use of used) expect(Object.keys(scopesOf), `scope of ${use} unknown to this test`).toContain(use);
    const needed = new Set(used.flatMap((use) => scopesOf[use]!));
    expect(new Set(manifest.oauth_config.scopes.bot)).toEqual(needed);
  });

  it('should send the command, interactivity and events to /slack/events over HTTP', () => {
    const [command] = manifest.features.slash_commands;
    expect(command.command).toBe('/pzk');
    expect(command.url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: command.url });
    expect(manifest.settings.event_subscriptions).toEqual({ request_url: command.url, bot_events: ['app_home_opened'] });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('should have the App Home tab and a Messages tab for direct messages', () => {
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
    expect(code).toContain("app.event('app_home_opened'");
  });
});
