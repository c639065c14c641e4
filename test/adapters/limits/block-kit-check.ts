/**
 * A small checker of Slack's documented Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks,
 * …/composition-objects, …/block-elements, chat.postMessage, views.open): every rule Slack answers
 * `invalid_blocks` or `msg_too_long` for that our messages could break. Returns what is wrong, [] when nothing.
 */
type Json = Record<string, any>;

const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** mrkdwn links: every "<" opens a link closed by ">" before the next "<" (our own text is escaped). */
const linksClosed = (s: string) => !/<[^>]*(<|$)/.test(s);

function textObject(t: Json | undefined, max: number, where: string, errors: string[], plainOnly = false): void {
  if (!t) return;
  if (t.type !== 'plain_text' && t.type !== 'mrkdwn') errors.push(`${where}: text type ${t.type}`);
  if (plainOnly && t.type !== 'plain_text') errors.push(`${where}: must be plain_text`);
  if (typeof t.text !== 'string' || t.text.length < 1) errors.push(`${where}: empty text`);
  else {
    if (t.text.length > max) errors.push(`${where}: text ${t.text.length} > ${max}`);
    if (!wellFormed(t.text)) errors.push(`${where}: a split surrogate pair`);
    if (t.type === 'mrkdwn' && !linksClosed(t.text)) errors.push(`${where}: an unclosed <link`);
  }
}

function element(e: Json, where: string, errors: string[]): void {
  if (e.action_id !== undefined && String(e.action_id).length > 255) errors.push(`${where}: action_id > 255`);
  if (e.type === 'button') {
    textObject(e.text, 75, `${where} button`, errors, true);
    if (e.url !== undefined && e.url.length > 3000) errors.push(`${where}: url ${e.url.length} > 3000`);
    if (e.value !== undefined && e.value.length > 2000) errors.push(`${where}: value > 2000`);
  } else if (e.type === 'static_select') {
    if ((e.options ?? []).length > 100) errors.push(`${where}: more than 100 options`);
    for (const o of e.options ?? []) {
      textObject(o.text, 75, `${where} option`, errors, true);
      if (o.value.length > 150) errors.push(`${where}: option value > 150`);
    }
  } else if (e.type === 'checkboxes') {
    // Checkboxes: 1 to 10 options; initial_options, when given, non-empty and among the options.
    const options: Json[] = e.options ?? [];
    if (options.length < 1 || options.length > 10) errors.push(`${where}: ${options.length} checkbox options (1 to 10)`);
    for (const o of options) {
      textObject(o.text, 75, `${where} option`, errors);
      if (typeof o.value !== 'string' || o.value.length > 150) errors.push(`${where}: option value > 150`);
    }
    if (e.initial_options !== undefined) {
      if (e.initial_options.length < 1) errors.push(`${where}: empty initial_options`);
      const values = new Set(options.map((o) => o.value));
      for (const o of e.initial_options) if (!values.has(o.value)) errors.push(`${where}: initial option ${o.value} is not an option`);
    }
  } else if (e.type === 'plain_text_input') {
    if (e.max_length !== undefined && e.max_length > 3000) errors.push(`${where}: max_length > 3000`);
  } else if (e.type !== 'number_input') errors.push(`${where}: element type ${e.type}`);
}

function block(b: Json, i: number, errors: string[]): void {
  const where = `block ${i} (${b.type})`;
  if (b.block_id !== undefined && String(b.block_id).length > 255) errors.push(`${where}: block_id > 255`);
  switch (b.type) {
    case 'header':
      textObject(b.text, 150, where, errors, true);
      break;
    case 'section':
      if (!b.text && !b.fields) errors.push(`${where}: neither text nor fields`);
      textObject(b.text, 3000, where, errors);
      if (b.fields) {
        if (b.fields.length > 10) errors.push(`${where}: ${b.fields.length} fields > 10`);
        b.fields.forEach((f: Json, k: number) => textObject(f, 2000, `${where} field ${k}`, errors));
      }
      break;
    case 'actions':
      if (b.elements.length < 1 || b.elements.length > 25) errors.push(`${where}: ${b.elements.length} elements`);
      b.elements.forEach((e: Json, k: number) => element(e, `${where} element ${k}`, errors));
      break;
    case 'context':
      if (b.elements.length < 1 || b.elements.length > 10) errors.push(`${where}: ${b.elements.length} elements > 10`);
      b.elements.forEach((e: Json, k: number) => textObject(e, 3000, `${where} element ${k}`, errors));
      break;
    case 'input':
      textObject(b.label, 2000, `${where} label`, errors, true);
      element(b.element, `${where} element`, errors);
      break;
    case 'divider':
      break;
    default:
      errors.push(`${where}: unknown block type`);
  }
}

/** A chat.postMessage / respond payload: at most 50 blocks, and the fallback text we keep at 3,000 with links closed. */
export function checkMessage(payload: { text: string; blocks: Json[] }, maxBlocks = 50): string[] {
  const errors: string[] = [];
  if (payload.blocks.length > maxBlocks) errors.push(`${payload.blocks.length} blocks > ${maxBlocks}`);
  if (!payload.text) errors.push('no fallback text');
  if (payload.text.length > 3000) errors.push(`fallback text ${payload.text.length} > 3000`);
  if (!wellFormed(payload.text)) errors.push('fallback text: a split surrogate pair');
  if (!linksClosed(payload.text)) errors.push('fallback text: an unclosed <link');
  payload.blocks.forEach((b, i) => block(b, i, errors));
  return errors;
}

/** A modal for views.open: title, submit and close 24 characters, at most 100 blocks. */
export function checkModal(view: Json): string[] {
  const errors: string[] = [];
  for (const key of ['title', 'submit', 'close']) textObject(view[key], 24, `modal ${key}`, errors, true);
  if (view.blocks.length > 100) errors.push(`${view.blocks.length} blocks > 100`);
  if (String(view.callback_id).length > 255) errors.push('callback_id > 255');
  view.blocks.forEach((b: Json, i: number) => block(b, i, errors));
  return errors;
}
