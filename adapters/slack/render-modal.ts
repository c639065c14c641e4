import type { types } from '@slack/bolt';
import type { Language } from '../../src/i18n/messages.js';
import type { Form, FormField } from '../../src/ports/channel.port.js';
import { clip, escapeMrkdwn } from './render-blocks.js';
import { slackTexts } from './slack-texts.js';

/** Modal limits: titles and button labels 24 characters, 100 options, 3,000 characters typed. */
const limits = { title: 24, label: 2000, option: 75, optionValue: 150, options: 100, input: 3000 } as const;

const plain = (text: string, max: number): types.PlainTextElement => ({ type: 'plain_text', text: clip(text || ' ', max), emoji: true });

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
      ...form.fields.map(
        (field): types.InputBlock => ({ type: 'input', block_id: field.id, optional: !field.required, label: plain(field.label, limits.label), element: element(field) }),
      ),
    ],
  };
}

/** The shape of view.state.values in a view_submission: block_id → action_id → what was entered. */
export type ViewStateValues = Record<
  string,
  Record<string, { type?: string; value?: string | null; selected_option?: { value: string } | null; selected_options?: { value: string }[] | null }>
>;

/** view.state.values → form values by field id; empty optional fields are left out. */
export function readFormValues(values: ViewStateValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [blockId, actions] of Object.entries(values)) {
    for (const state of Object.values(actions)) {
      // A multi-select sends its options as a list: joined by "," as the core's multiselect expects.
      const value = state.selected_options ? state.selected_options.map((o) => o.value).join(',') : (state.selected_option?.value ?? state.value);
      if (value !== undefined && value !== null && value !== '') out[blockId] = value;
    }
  }
  return out;
}
