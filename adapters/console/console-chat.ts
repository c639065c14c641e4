import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Action, Form, FormField, Incoming, Message, Sender } from '../../src/ports/channel.port.js';
import { consoleTexts } from './console-texts.js';
import { actionsOf, renderText } from './render-text.js';

/**
 * `chat --as <email>`: the bot in a terminal, for trying it without Slack or Teams. Each line
 * is a command, exactly as after `/pzk` in Slack or as a message to the bot in Teams. The
 * buttons of the last answer are numbered: typing a number presses that button, as a click
 * would (the same action, the same checks of who may press it). A form is asked field by field
 * and sent as a Slack modal or an Adaptive Card would send it.
 */
export async function runConsoleChat(options: {
  email: string;
  handle: (incoming: Incoming) => Promise<Message>;
  input: Readable;
  output: Writable;
}): Promise<void> {
  const { email, handle, input, output } = options;
  const from: Sender = { channel: 'console', email };
  const lines = createInterface({ input, terminal: false })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string | undefined> => {
    const next = await lines.next();
    return next.done ? undefined : String(next.value);
  };
  let buttons: Action[] = [];
  // The language of the last answer: what the terminal itself says follows it (both before the first).
  let language: Message['language'] | undefined;

  const show = async (answer: Message): Promise<void> => {
    buttons = actionsOf(answer);
    language = answer.language;
    const t = consoleTexts[answer.language];
    output.write(`\n${renderText(answer, { numbered: true })}\n`);
    if (buttons.length > 0) output.write(`${t.pressHint}\n`);
    if (answer.form) {
      const sent = await fillIn(answer.form, answer.language);
      if (sent) return show(sent);
    }
  };

  /** Asks each field, sends the form; a refusal naming a field asks that field again. Undefined: cancelled or input ended. */
  const fillIn = async (form: Form, language: Message['language']): Promise<Message | undefined> => {
    const t = consoleTexts[language];
    output.write(`\n${t.formIntro(form.title)}\n`);
    const values: Record<string, string> = {};
    let fields = form.fields;
    for (;;) {
      for (const field of fields) {
        const value = await ask(field, language);
        if (value === undefined) {
          output.write(`${t.cancelled}\n`);
          return undefined;
        }
        values[field.id] = value;
      }
      const answer = await handle({ type: 'form', from, formId: form.id, values });
      const again = answer.formError && form.fields.find((f) => f.id === answer.formError!.fieldId);
      if (!again) return answer;
      output.write(`\n${answer.formError!.text} ${t.again}\n`);
      fields = [again];
    }
  };

  const ask = async (field: FormField, language: Message['language']): Promise<string | undefined> => {
    const t = consoleTexts[language];
    const choices = field.options ?? [];
    const many = field.kind === 'multiselect';
    const list = choices.length ? `\n${choices.map((o, i) => `  [${i + 1}] ${o.label}`).join('\n')}` : '';
    // An answer given before is shown (by its labels) and kept by an empty line.
    const labelOf = (value: string) => choices.find((o) => o.value === value)?.label ?? value;
    const current = field.value ? `; ${t.current(choices.length ? field.value.split(',').map(labelOf).join(', ') : field.value)}` : '';
    const how = choices.length ? `; ${many ? t.chooseMany : t.choose}` : '';
    output.write(`${field.label} (${field.required ? t.required : t.optional}${how}${current}):${list}\n? `);
    const line = await nextLine();
    if (line === undefined || ['anuluj', 'cancel'].includes(line.trim().toLowerCase())) return undefined;
    const typed = line.trim();
    if (typed === '' && field.value) return field.value;
    // A choice by its number (several, by commas, for a multi-select); anything else is sent as
    // typed, and the core says what is wrong with it.
    const byNumber = (part: string) => (/^\d+$/.test(part) ? choices[Number(part) - 1]?.value : undefined);
    if (many) return typed.split(',').map((p) => p.trim()).filter(Boolean).map((p) => byNumber(p) ?? p).join(',');
    return byNumber(typed) ?? typed;
  };

  output.write(`Kooperator (${email}). Proszę wpisać „pomoc” / type "help"; Ctrl+D kończy / ends.\n> `);
  for (let line = await nextLine(); line !== undefined; line = await nextLine()) {
    const trimmed = line.trim();
    if (trimmed === '') {
      output.write('> ');
      continue;
    }
    const number = /^\d+$/.test(trimmed);
    const pressed = number ? buttons[Number(trimmed) - 1] : undefined;
    if (pressed) {
      await show(await handle({ type: 'action', from, actionId: pressed.id, value: pressed.value }));
    } else if (number) {
      // A number is never a command: say which numbers there are (the buttons stay as they were).
      const say = (t: (typeof consoleTexts)['pl']) => (buttons.length > 0 ? t.noSuchButton(trimmed, buttons.length) : t.noButtons(trimmed));
      output.write(`\n${language ? say(consoleTexts[language]) : `${say(consoleTexts.pl)}\n${say(consoleTexts.en)}`}\n`);
    } else {
      const [command = '', ...rest] = trimmed.split(/\s+/);
      await show(await handle({ type: 'command', from, command, text: rest.join(' ') }));
    }
    output.write('\n> ');
  }
  output.write('\n');
}
