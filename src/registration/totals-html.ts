import { html, type SafeHtml } from '../http/html/layout.js';
import type { Language } from '../i18n/messages.js';
import { registrationMessages } from '../i18n/registration-messages.js';
import { labelIn, valueText } from './questions.js';
import { isValidAnswer } from './questions.js';
import type { RegistrationTotals } from './totals.js';

/**
 * The registration totals of one activity on the RCPS answers page: per choice question how
 * many chose each option (vegetarian meals, beds per night, seats on the bus from Łowicz), free
 * text answers listed with who gave them (accessibility needs), and answers no longer valid.
 */
export function registrationSection(language: Language, totals: RegistrationTotals): SafeHtml {
  const t = registrationMessages[language];
  const questions = totals.questions.map((q) => {
    const label = labelIn(q.question, language);
    const counts = q.question.kind === 'text' ? [] : q.options.map((o) => html`<li>${t.option(o.label, o.count)}</li>`);
    const texts = q.texts.map((x) => html`<li><strong>${x.name}</strong>${x.institution ? html` (${x.institution})` : ''}: ${x.text}</li>`);
    const invalid = totals.people
      .filter((p) => p.answer === 'accepted' && p.values.has(q.question.id) && !isValidAnswer(q.question, p.values.get(q.question.id)!))
      .map((p) => html`<li><strong>${p.name}</strong>: ${t.invalidValue(valueText(q.question, p.values.get(q.question.id)!, language))}</li>`);
    return html`<h4>${label}</h4><ul>${counts}${texts}<li class="muted">${t.noAnswer(q.unanswered)}</li>${q.invalid ? html`<li>${t.invalid(q.invalid)}<ul>${invalid}</ul></li>` : ''}</ul>`;
  });
  return html`<h3>${t.totalsHeading}</h3><p>${t.totalsFor(totals.accepted)}</p>${questions}`;
}
