import { describe, expect, it } from 'vitest';
import { readFormValues, renderModal } from '../../../adapters/slack/render-modal.js';
import { renderCard } from '../../../adapters/teams/render-card.js';
import type { Form, Message } from '../../../src/ports/channel.port.js';
import { checkModal } from './block-kit-check.js';
import { checkCard } from './card-check.js';

/** A multi-choice field (the presence list) at the sizes a list can have, on each platform's limits. */
const EMOJI = '👩🏽‍💻';
const form = (n: number, label = (i: number) => `Osoba ${i} Zażółć gęślą jaźń ${EMOJI} Miejski Ośrodek Pomocy Społecznej w Łodzi, Dział Pracy Socjalnej nr ${i}`): Form => ({
  id: 'presence:lodz:2027-01-12',
  title: 'Kto był na spotkaniu? — bardzo długi tytuł formularza',
  submitLabel: 'Zapisz',
  fields: [
    {
      id: 'present',
      label: 'Obecni',
      kind: 'multiselect',
      checkboxes: true,
      required: false,
      options: Array.from({ length: n }, (_, i) => ({ value: String(1000 + i), label: label(i) })),
      value: Array.from({ length: n }, (_, i) => String(1000 + i)).filter((_, i) => i % 3 === 0).join(','),
    },
  ],
});

describe('A multi-choice field within the platforms\' limits', () => {
  it.each([1, 10, 11, 95, 250])('should split %i options into Slack checkboxes of ten, ticked ones initial, within Block Kit limits', (n) => {
    const view = renderModal(form(n), 'pl');
    expect(checkModal(view)).toEqual([]);
    const blocks = view.blocks as { block_id: string; element: { options: { value: string }[]; initial_options?: { value: string }[] } }[];
    expect(blocks).toHaveLength(Math.ceil(n / 10));
    expect(blocks.flatMap((b) => b.element.options.map((o) => o.value))).toEqual(form(n).fields[0]!.options!.map((o) => o.value));
    expect(blocks.flatMap((b) => (b.element.initial_options ?? []).map((o) => o.value))).toEqual(form(n).fields[0]!.value!.split(','));
  });

  it('should read ticked boxes of every block back as one value', () => {
    const values = readFormValues({
      'present~0': { present: { type: 'checkboxes', selected_options: [{ value: '1000' }, { value: '1003' }] } },
      'present~1': { present: { type: 'checkboxes', selected_options: [] } },
      'present~2': { present: { type: 'checkboxes', selected_options: [{ value: '1020' }] } },
    });
    expect(values).toEqual({ present: '1000,1003,1020' });
    expect(readFormValues({ present: { present: { type: 'checkboxes', selected_options: [] } } })).toEqual({});
  });

  it.each([11, 40])('should render %i choices as one Teams multi-select choice set that Microsoft\'s parser accepts', (n) => {
    const message: Message = { language: 'pl', title: 'Kto był?', text: 'Proszę zaznaczyć.', form: form(n) };
    const activity = renderCard(message);
    expect(checkCard(activity)).toEqual([]);
    const choiceSet = (activity.attachments[0]!.content as { body: { type: string; choices?: unknown[]; isMultiSelect?: boolean }[] }).body.find((e) => e.type === 'Input.ChoiceSet')!;
    expect(choiceSet.isMultiSelect).toBe(true);
    expect(choiceSet.choices).toHaveLength(n);
  });

  it('should never cut a multi-select list too big for a Teams card: the whole list, or none and the note that sends to the web form', () => {
    // 95 of these stress labels pass Teams's 28 KB: a missing person would be saved as absent, so the form goes whole or not at all.
    const activity = renderCard({ language: 'pl', title: 'Kto był?', text: 'Proszę zaznaczyć.', form: form(95) });
    expect(checkCard(activity)).toEqual([]);
    const body = (activity.attachments[0]!.content as { body: { type: string; choices?: unknown[] }[] }).body;
    const choiceSet = body.find((e) => e.type === 'Input.ChoiceSet');
    if (choiceSet) expect(choiceSet.choices).toHaveLength(95);
    else expect(JSON.stringify(body)).toMatch(/formularz|form/i);
  });
});
