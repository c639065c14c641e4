import { describe, expect, it } from 'vitest';
import { renderText } from '../../../adapters/console/render-text.js';
import { composeMail } from '../../../adapters/email/compose.js';
import { renderMessage, toMrkdwn } from '../../../adapters/slack/render-blocks.js';
import { renderModal } from '../../../adapters/slack/render-modal.js';
import { renderCard } from '../../../adapters/teams/render-card.js';
import type { Message } from '../../../src/ports/channel.port.js';
import { checkMessage, checkModal } from './block-kit-check.js';
import { checkCard } from './card-check.js';
import { stressMessages } from './stress-messages.js';

const all = [...stressMessages('pl'), ...stressMessages('en')].map(({ kind, message }) => [`${message.language}: ${kind}`, message] as const);
const NOTE = /… \((jeszcze \d+|\d+ more)/;

/** Everything a Slack payload shows as text, to see that nothing went missing without a word. */
const slackText = (blocks: unknown[]) => JSON.stringify(blocks);

/**
 * Issue 14, platform limits: every message kind with stress data, on every channel, checked
 * against the platform's own limits (a Block Kit checker from Slack's documented limits,
 * Microsoft's adaptivecards parser and Teams's 28 KB) and against silent loss.
 */
describe('every message kind fits every platform (issue 14)', () => {
  it.each(all)('Slack: %s', (_, message) => {
    const payload = renderMessage(message);
    expect(checkMessage(payload as never)).toEqual([]);
    if (message.form) expect(checkModal(renderModal(message.form, message.language))).toEqual([]);
    // Nothing lost silently: every item title is shown, or the count of what is left is.
    const shown = slackText(payload.blocks);
    const missing = (message.items ?? []).filter((i) => !shown.includes(JSON.stringify(toMrkdwn(i.title, message.language)).slice(1, -1).slice(0, 19)));
    if (missing.length) expect(shown).toMatch(NOTE);
  });

  it.each(all)('Slack App Home: %s', (_, message) => {
    expect(checkMessage(renderMessage(message) as never, 100)).toEqual([]);
  });

  it.each(all)('Teams: %s', (_, message) => {
    const activity = renderCard(message);
    expect(checkCard(activity)).toEqual([]);
    const json = JSON.stringify(activity);
    const missing = (message.items ?? []).filter((i) => !json.includes(JSON.stringify(i.title).slice(1, -1).slice(0, 19)));
    if (missing.length) expect(json).toMatch(NOTE);
  });

  it.each(all)('e-mail: %s', (_, message) => {
    const composed = composeMail('anna.nowak@example.org', message);
    expect(composed.ok).toBe(true);
    if (!composed.ok) return;
    const { html, text, headers } = composed.mail as { html: string; text: string; headers: Record<string, string> };
    expect(headers['Content-Language']).toBe(message.language);
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).not.toMatch(/[<>\s"]|&lt;|&gt;/);
    expect(html).not.toContain('<script>');
    expect(text).not.toMatch(/\*\*|\]\(https?:/);
  });

  it.each(all)('terminal: %s', (_, message) => {
    expect(renderText(message)).not.toMatch(/\*\*|\]\(https?:/);
  });
});

describe('what issue 14 found', () => {
  const report = stressMessages('pl').find((k) => k.kind === 'problem report to RCPS')!.message;
  const byKind = (kind: string): Message => stressMessages('pl').find((k) => k.kind.startsWith(kind))!.message;

  it('Slack shows a 5,000-character report whole, over several sections', () => {
    const { blocks } = renderMessage(report);
    const sections = blocks.filter((b) => b.type === 'section' && 'text' in b && b.text).map((b) => (b as { text: { text: string } }).text.text);
    expect(sections.join('\n').replace(/\s+/g, '')).toContain(toMrkdwn(report.text, report.language).replace(/\s+/g, ''));
  });

  it('Slack shows a 5,000-character text in one line whole, and a comment', () => {
    for (const kind of ['announcement, 5,000 characters in one line', 'report comment']) {
      const message = byKind(kind);
      const { blocks } = renderMessage(message);
      const sections = blocks.filter((b) => b.type === 'section' && 'text' in b && b.text).map((b) => (b as { text: { text: string } }).text.text);
      expect(sections.join('').replace(/\s+/g, '')).toContain(toMrkdwn(message.text, message.language).replace(/\s+/g, ''));
    }
  });

  it('Slack shows the 500-invitee view and the 73 failures whole', () => {
    for (const kind of ['RCPS answers, 500', 'announcement delivery report']) {
      const message = byKind(kind);
      const shown = slackText(renderMessage(message).blocks).replace(/\\n|\s/g, '');
      for (const line of message.items![0]!.lines) expect(shown).toContain(JSON.stringify(toMrkdwn(line, message.language)).slice(1, -1).replace(/\\n|\s/g, ''));
    }
  });

  it('a link too long for a chat button is named instead of vanishing', () => {
    const message = byKind('meetings list, long online link');
    expect(slackText(renderMessage(message).blocks)).toContain('Dołącz online 🎥”: odnośnik jest dłuższy niż 3000 znaków');
    expect(JSON.stringify(renderCard(message))).toContain('Dołącz online 🎥”: odnośnik jest dłuższy niż 3000 znaków');
  });

  it('Teams counts the activities that do not fit and links the report page when it shortens', () => {
    const json = JSON.stringify(renderCard(byKind('RCPS answers, 60 activities')));
    expect(json).toMatch(/… \(jeszcze \d+\)/);
    const card = JSON.stringify(renderCard({ ...report, text: 'x '.repeat(20_000) }));
    expect(card).toContain('(https://koop.example.org/reports/ABC-123');
    expect(card).toMatch(/jeszcze \d+ zn\.\) \[całość na stronie\]/);
  });

  it('Teams carries the report text once: the summary is its first line, short', () => {
    const activity = renderCard(report);
    expect(activity.summary.length).toBeLessThanOrEqual(250);
    expect(activity.attachments[0]!.content.fallbackText).toBe(activity.summary);
  });

  it('English notes are English', () => {
    const json = JSON.stringify(renderCard({ ...stressMessages('en').find((k) => k.kind.startsWith('RCPS answers, 60'))!.message }));
    expect(json).toMatch(/… \(\d+ more\)/);
  });
});
