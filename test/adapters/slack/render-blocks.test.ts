import { describe, expect, it } from 'vitest';
import { actionIdOf, limits, renderMessage, toMrkdwn } from '../../../adapters/slack/render-blocks.js';
import { readFormValues, renderModal } from '../../../adapters/slack/render-modal.js';
import type { Message } from '../../../src/ports/channel.port.js';

const base: Message = { language: 'pl', title: 'Tytuł', text: 'Tekst' };

describe('Slack Block Kit rendering', () => {
  it('should escape <script> and & in user text and keep them out of links', () => {
    const { text, blocks } = renderMessage({ ...base, title: 'A & <B>', text: 'Uwaga: <script>alert(1)</script> & <@U123> <!channel>' });
    const section = JSON.stringify(blocks[1]);
    expect(section).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;@U123&gt; &lt;!channel&gt;');
    expect(section).not.toContain('<script>');
    expect(text).toBe('A &amp; &lt;B&gt;\nUwaga: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;@U123&gt; &lt;!channel&gt;');
    // plain_text is shown as typed: no escaping needed, none done.
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'A & <B>', emoji: true } });
  });

  it('should turn light Markdown into mrkdwn: bold, links, list bullets', () => {
    expect(toMrkdwn('**Ważne**: [harmonogram](https://koop.example.org/?a=1&b=2)\n- pierwszy\n- _drugi_', 'pl')).toBe(
      '*Ważne*: <https://koop.example.org/?a=1&amp;b=2|harmonogram>\n• pierwszy\n• _drugi_',
    );
    expect(toMrkdwn('[a|b](https://x.org)', 'pl')).toBe('<https://x.org|a¦b>');
  });

  it('should render fields, items with link and action buttons, and the message actions', () => {
    const { blocks } = renderMessage({
      ...base,
      fields: [{ label: 'Miejsce', value: 'Sala 12' }],
      items: [
        {
          title: 'Warsztaty',
          lines: ['10 marca 2027'],
          actions: [
            { id: 'rsvp:accept', value: 'w1', label: 'Biorę udział', style: 'primary' },
            { id: 'rsvp:accept', value: 'w1b', label: 'Też' },
          ],
          links: [{ label: 'Szczegóły', url: 'https://koop.example.org/w1' }],
        },
      ],
      actions: [{ id: 'more', value: '1', label: 'Więcej' }],
    });
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'actions', 'actions']);
    expect(blocks[2]).toEqual({ type: 'section', fields: [{ type: 'mrkdwn', text: '*Miejsce*\nSala 12' }] });
    expect(blocks[3]).toMatchObject({ text: { type: 'mrkdwn', text: '*Warsztaty*\n10 marca 2027' } });
    const itemButtons = (blocks[4] as { elements: { action_id: string; value?: string; url?: string; style?: string }[] }).elements;
    expect(itemButtons).toEqual([
      expect.objectContaining({ action_id: 'rsvp:accept', value: 'w1', style: 'primary' }),
      expect.objectContaining({ action_id: 'rsvp:accept~1', value: 'w1b' }),
      expect.objectContaining({ action_id: 'link:0', url: 'https://koop.example.org/w1' }),
    ]);
    expect(actionIdOf('rsvp:accept~1')).toBe('rsvp:accept');
  });

  it('should stay within 50 blocks and 3,000 characters a text, saying how many items did not fit', () => {
    const items = Array.from({ length: 80 }, (_, i) => ({ title: `Spotkanie ${i}`, lines: ['x'], links: [{ label: 'a', url: 'https://x.org' }] }));
    const { text, blocks } = renderMessage({ ...base, text: 'y'.repeat(7000), items });
    expect(blocks.length).toBeLessThanOrEqual(limits.blocks);
    expect(text.length).toBeLessThanOrEqual(limits.text);
    for (const block of blocks) if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(limits.text);
    expect(JSON.stringify(blocks.at(-1))).toMatch(/… \(jeszcze \d+\)/);
  });
});

describe('Slack modals', () => {
  it('should build a modal from a form: one input per field, select options, optional fields, Polish cancel', () => {
    const view = renderModal(
      {
        id: 'problem',
        title: 'Zgłoszenie problemu dla RCPS (bardzo długi tytuł)',
        submitLabel: 'Wyślij',
        fields: [
          { id: 'kind', label: 'Rodzaj', kind: 'select', required: true, options: [{ value: 'audit', label: 'Kontrola' }] },
          { id: 'what', label: 'Opis', kind: 'text', required: false },
        ],
      },
      'pl',
    );
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.close).toEqual({ type: 'plain_text', text: 'Anuluj', emoji: true });
    expect(view.blocks).toEqual([
      expect.objectContaining({ block_id: 'kind', optional: false, element: { type: 'static_select', action_id: 'kind', options: [{ text: { type: 'plain_text', text: 'Kontrola', emoji: true }, value: 'audit' }] } }),
      expect.objectContaining({ block_id: 'what', optional: true, element: expect.objectContaining({ type: 'plain_text_input', multiline: false }) }),
    ]);
  });

  it('should read submitted values by field id, selects by their value, leaving out empty ones', () => {
    expect(
      readFormValues({
        kind: { kind: { type: 'static_select', selected_option: { value: 'audit' } } },
        n: { n: { type: 'number_input', value: '4' } },
        empty: { empty: { type: 'plain_text_input', value: null } },
      }),
    ).toEqual({ kind: 'audit', n: '4' });
  });
});
