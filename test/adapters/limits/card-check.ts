import { createRequire } from 'node:module';

// The lib/ ESM build of adaptivecards does not resolve in Node; the UMD bundle does.
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js');

/** Teams refuses a message over about 28 KB of JSON encoded as UTF-16: bytes, two a code unit. */
export const TEAMS_LIMIT = 28 * 1024;

/**
 * What Microsoft's own parser says of a Teams activity's card: parse events (unknown elements,
 * bad values), validateProperties() events, a version above 1.5, and the size Teams refuses.
 */
export function checkCard(activity: { attachments: { content: unknown }[] }): string[] {
  const errors: string[] = [];
  const size = Buffer.byteLength(JSON.stringify(activity), 'utf16le');
  if (size >= TEAMS_LIMIT) errors.push(`${size} bytes in UTF-16 ≥ ${TEAMS_LIMIT}`);
  for (const attachment of activity.attachments) {
    // adaptivecards 3.0 checks `lang` with a shared /g regex whose lastIndex outlives a parse, so
    // every other card would be refused for a valid "pl": start it afresh.
    AC.CardElement.langProperty.regEx.lastIndex = 0;
    const context = new AC.SerializationContext();
    const card = new AC.AdaptiveCard();
    card.parse(attachment.content, context);
    for (let i = 0; i < context.eventCount; i++) errors.push(`parse: ${context.getEventAt(i).message}`);
    for (const e of card.validateProperties().validationEvents) errors.push(`validate: ${e.message}`);
    const version = card.version;
    if (!version || version.major > 1 || (version.major === 1 && version.minor > 5)) errors.push(`version ${version?.toString()}`);
    if (/\\ud[89a-f][0-9a-f]{2}/i.test(JSON.stringify(attachment.content))) errors.push('a split surrogate pair');
  }
  return errors;
}
