import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../../adapters/slack/render-blocks.js';

/**
 * Review of issue 14 / docs/platform-limits.md ("never inside … a Slack `<url|label>` link"; "a
 * link too long for a button (over 3,000 characters) is named in the text instead"). A Markdown
 * link in an announcement's text whose URL is over 3,000 characters (a Safe Links-wrapped Teams
 * meeting link) becomes one `<url|label>` token longer than a section; splitText() then breaks it
 * between characters: one section ends in an unclosed `<https://…`, the next starts with the
 * rest of the URL and `|spotkanie>`. Slack shows two halves of a raw URL and no link.
 */
describe('an announcement with a link longer than a Slack section', () => {
  const url = `https://eur01.safelinks.protection.outlook.com/?url=${'a1B2c3'.repeat(600)}`;
  const message = { language: 'pl' as const, title: 'Ogłoszenie', text: `Proszę dołączyć: [spotkanie](${url}) dziś o 10:00.` };

  it('should never leave a section with a link cut in two', () => {
    const sections = renderMessage(message).blocks.flatMap((b) => ('text' in b && b.text && b.type === 'section' ? [b.text.text] : []));
    for (const text of sections) {
      const opened = (text.match(/</g) ?? []).length;
      const closed = (text.match(/>/g) ?? []).length;
      // Fails today: a 3,000-character section "<https://eur01…" with no ">".
      expect(opened, `section of ${text.length}: ${text.slice(0, 30)}…${text.slice(-30)}`).toBe(closed);
    }
  });
});
