import type { types } from '@slack/bolt';
import type { Language } from '../../src/i18n/messages.js';
import type { Form, FormField } from '../../src/ports/channel.port.js';
import { clip, escapeMrkdwn } from './render-blocks.js';
import { slackTexts } from './slack-texts.js';

/** Modal limits: titles and button labels 24 characters, 100 options, 10 per checkboxes element, 3,000 characters typed. */
const limits = { title: 24, label: 2000, option: 75, optionValue: 150, options: 100, checkboxes: 10, checkboxBlocks: 90, input: 3000 } as const;

/** A multi-choice field is split into checkboxes blocks of ten: block ids "<field>~<part>", read back as one field. */
const PART = /~\d+$/;

const plain = (text: string, max: number): types.PlainTextElement => ({ type: 'plain_text', text: clip(text || ' ', max), emoji: true });

const option = (o: { value: string; label: string }): types.PlainTextOption => ({ text: plain(o.label, limits.option), value: clip(o.value, limits.optionValue) });

/** Slack's checkboxes take ten options each: a longer list becomes several input blocks, labelled "(2/3)" after the first. */
function checkboxBlocks(field: FormField): types.InputBlock[] {
  // A modal holds 100 blocks: a list of up to 900 fits, far beyond a team (the core never sends more).
  const options = (field.options ?? []).slice(0, limits.checkboxes * limits.checkboxBlocks);
  const selected = new Set(field.value ? field.value.split(',') : []);
  const parts: (typeof options)[] = [];
  for (let i = 0; i < options.length; i += limits.checkboxes) parts.push(options.slice(i, i + limits.checkboxes));
  return parts.map((part, i) => {
    const ticked = part.filter((o) => selected.has(o.value)).map(option);
    return {
      type: 'input',
      block_id: parts.length === 1 ? field.id : `${field.id}~${i}`,
      optional: true,
      label: plain(parts.length === 1 ? field.label : `${field.label} (${i + 1}/${parts.length})`, limits.label),
      element: { type: 'checkboxes', action_id: field.id, options: part.map(option), ...(ticked.length ? { initial_options: ticked } : {}) },
    };
  });
}

function element(field: FormField): types.InputBlock['element'] {
  const action_id = field.id;
  const options = (field.options ?? []).slice(0, limits.options).map((o) => ({ text: plain(o.label, limits.option), value: clip(o.value, limits.optionValue) }));
  // An answer given before opens the modal with it (Slack wants the very option object).
  const chosen = new Set(field.value ? field.value.split(',') : []);
  const initial = options.filter((o) => chosen.has(o.value));
  switch (field.kind) {
    case 'textarea':
    case 'text':
      return {
        type: 'plain_text_input',
        action_id,
        multiline: field.kind === 'textarea',
        max_length: Math.min(field.maxLength ?? limits.input, limits.input),
        ...(field.value ? { initial_value: clip(field.value, limits.input) } : {}),
      };
    case 'number':
      return { type: 'number_input', action_id, is_decimal_allowed: false };
    case 'select':
      return { type: 'static_select', action_id, options, ...(initial[0] ? { initial_option: initial[0] } : {}) };
    case 'multiselect':
      return { type: 'multi_static_select', action_id, options, ...(initial.length ? { initial_options: initial } : {}) };
  }
}

/**
 * A Form as a Slack modal for views.open: one input block per field (block_id and action_id are
 * the field id) and callback_id = form id, which comes back in view_submission.
 */
export function renderModal(form: Form, language: Language): types.ModalView {
  return {
    type: 'modal',
    callback_id: form.id,
    title: plain(form.title, limits.title),
    submit: plain(form.submitLabel, limits.title),
    close: plain(slackTexts[language].cancel, limits.title),
    blocks: [
      // A modal shows nothing but itself: the intro says what the press before it did (an answer recorded).
      ...(form.intro ? [{ type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(form.intro), limits.input) } } as types.SectionBlock] : []),
      ...form.fields.flatMap((field): types.InputBlock[] =>
        field.kind === 'multiselect' && field.checkboxes
          ? checkboxBlocks(field)
          : [{ type: 'input', block_id: field.id, optional: !field.required, label: plain(field.label, limits.label), element: element(field) }],
      ),
    ],
  };
}

/** The shape of view.state.values in a view_submission: block_id → action_id → what was entered. */
export type ViewStateValues = Record<
  string,
  Record<string, { type?: string; value?: string | null; selected_option?: { value: string } | null; selected_options?: { value: string }[] | null }>
>;

/**
 * view.state.values → form values by field id; empty optional fields are left out. Checkboxes
 * (a multi-choice field, maybe split over several blocks) give the ticked values joined by ",".
 */
export function readFormValues(values: ViewStateValues): Record<string, string> {
  const out: Record<string, string> = {};
  const ticked: Record<string, string[]> = {};
  for (const [blockId, actions] of Object.entries(values)) {
    for (const state of Object.values(actions)) {
      if (state.type === 'checkboxes') {
        (ticked[blockId.replace(PART, '')] ??= []).push(...(state.selected_options ?? []).map((o) => o.value));
        continue;
      }
      // A multi-select sends its options as a list: joined by "," as the core's multiselect expects.
      const value = state.selected_options ? state.selected_options.map((o) => o.value).join(',') : (state.selected_option?.value ?? state.value);
      if (value !== undefined && value !== null && value !== '') out[blockId] = value;
    }
  }
  for (const [id, chosen] of Object.entries(ticked)) if (chosen.length) out[id] = chosen.join(',');
  return out;
}
