import { describe, expect, it } from 'vitest';
import { ADAPTIVE_CARD, renderCard, toCardMarkdown } from '../../../adapters/teams/render-card.js';
import type { Message } from '../../../src/ports/channel.port.js';

const card = (message: Message) => {
  const rendered = renderCard(message);
  expect(rendered.attachments).toHaveLength(1);
  expect(rendered.attachments[0]!.contentType).toBe(ADAPTIVE_CARD);
  return { rendered, content: rendered.attachments[0]!.content as any };
};

describe('Adaptive Card rendering', () => {
  it('should render title, Markdown text, facts, items, links and actions as a 1.5 card', () => {
    const { rendered, content } = card({
      language: 'pl',
      title: 'Zaproszenie',
      text: 'Zapraszamy na **warsztaty**:\n- dzień 1\n- dzień 2\nSzczegóły: [strona](https://example.org/w)',
      fields: [{ label: 'Miejsce', value: 'Spała' }],
      items: [{ title: 'Spotkanie', lines: ['wtorek, 12 stycznia 2027, 10:00', 'Sala 12'], links: [{ label: 'Dołącz online', url: 'https://example.org/meet' }] }],
      actions: [
        { id: 'rsvp', value: 'w1:accept', label: 'Wezmę udział', style: 'primary' },
        { id: 'rsvp', value: 'w1:decline', label: 'Nie wezmę udziału', style: 'danger' },
      ],
      links: [{ label: 'Kalendarz', url: 'https://koop.example.org/calendars/u/t.ics' }],
    });
    expect(content).toMatchObject({ type: 'AdaptiveCard', version: '1.5', lang: 'pl' });
    expect(content.body[0]).toMatchObject({ type: 'TextBlock', text: 'Zaproszenie', weight: 'Bolder', wrap: true });
    expect(content.body[1].text).toBe('Zapraszamy na **warsztaty**:\n\n- dzień 1\n- dzień 2\n\nSzczegóły: [strona](https://example.org/w)');
    expect(content.body[2]).toEqual({ type: 'FactSet', facts: [{ title: 'Miejsce', value: 'Spała' }] });
    const item = content.body[3];
    expect(item.type).toBe('Container');
    expect(item.items.map((e: any) => e.text ?? e.type)).toEqual(['Spotkanie', 'wtorek, 12 stycznia 2027, 10:00', 'Sala 12', 'ActionSet']);
    expect(item.items[3].actions).toEqual([{ type: 'Action.OpenUrl', title: 'Dołącz online', url: 'https://example.org/meet' }]);
    expect(content.actions).toEqual([
      { type: 'Action.Submit', title: 'Wezmę udział', data: { actionId: 'rsvp', value: 'w1:accept' }, style: 'positive' },
      { type: 'Action.Submit', title: 'Nie wezmę udziału', data: { actionId: 'rsvp', value: 'w1:decline' }, style: 'destructive' },
      { type: 'Action.OpenUrl', title: 'Kalendarz', url: 'https://koop.example.org/calendars/u/t.ics' },
    ]);
    expect(rendered.summary).toBe('Zaproszenie: Zapraszamy na warsztaty:');
    expect(content.fallbackText).toBe(rendered.summary);
  });

  it('should render a form as inputs with one Submit carrying the form id', () => {
    const { content } = card({
      language: 'pl',
      title: 'Status',
      text: '',
      form: {
        id: 'status',
        title: 'Krótki status',
        submitLabel: 'Wyślij',
        fields: [
          { id: 'text', label: 'Co u Państwa?', kind: 'textarea', required: true, maxLength: 2000 },
          { id: 'name', label: 'Nazwa', kind: 'text', required: false },
          { id: 'people', label: 'Ile osób', kind: 'number', required: false },
          { id: 'team', label: 'Zespół', kind: 'select', required: true, options: [{ value: 'lodz', label: 'Łódź' }] },
        ],
      },
    });
    const inputs = content.body.filter((e: any) => e.type.startsWith('Input.'));
    expect(inputs).toEqual([
      { type: 'Input.Text', id: 'text', label: 'Co u Państwa?', isRequired: true, errorMessage: 'Co u Państwa?', isMultiline: true, maxLength: 2000 },
      { type: 'Input.Text', id: 'name', label: 'Nazwa', isRequired: false, isMultiline: false },
      { type: 'Input.Number', id: 'people', label: 'Ile osób', isRequired: false },
      { type: 'Input.ChoiceSet', id: 'team', label: 'Zespół', isRequired: true, errorMessage: 'Zespół', style: 'compact', choices: [{ title: 'Łódź', value: 'lodz' }] },
    ]);
    expect(content.actions).toEqual([{ type: 'Action.Submit', title: 'Wyślij', data: { formId: 'status' }, style: 'positive' }]);
  });

  it('should keep user text from becoming markup', () => {
    const { content } = card({ language: 'pl', title: '<at>Ktoś</at>', text: 'a <b>b</b> <script>x</script>', items: [{ title: '<i>', lines: ['<img src=x>'] }] });
    expect(JSON.stringify(content)).not.toContain('<');
    expect(content.body[1].text).toBe('a ‹b>b‹/b> ‹script>x‹/script>');
  });

  it('should separate paragraphs with a blank line and keep list items together', () => {
    expect(toCardMarkdown('a\nb\n- c\n- d\ne')).toBe('a\n\nb\n\n- c\n- d\n\ne');
  });
});
