import { staffPageMessages, type StaffPageText } from '../i18n/staff-page-messages.js';
import type { Language } from '../i18n/messages.js';
import { html, type PageOptions } from './html/layout.js';

/** A page that only says something: a bad, expired or foreign link, in both languages when we do not know whose it is. */
export function staffMessagePage(language: Language | 'both', title: StaffPageText, text: StaffPageText): PageOptions {
  const say = (l: Language) => staffPageMessages[l][text];
  const lang = language === 'both' ? 'pl' : language;
  return {
    language: lang,
    title: staffPageMessages[lang][title],
    body: html`<p class="notice bad">${say(lang)}</p>${language === 'both' ? html`<p lang="en">${say('en')}</p>` : ''}`,
  };
}

/** The page's language: `?lang=` when it names one, else the person's own. */
export function pageLanguage(url: string | undefined, own: Language): Language {
  const asked = new URL(url ?? '/', 'http://x').searchParams.get('lang');
  return asked === 'en' || asked === 'pl' ? asked : own;
}
