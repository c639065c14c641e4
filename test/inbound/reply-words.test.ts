import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absencePeriod } from '../../src/inbound/auto-replies.js';
import { fold, ownWords, plainAnswer } from '../../src/inbound/reply-text.js';
import { checkModel, modelRuns } from '../support/model-runs.js';

const YES = ['Będę', 'będę', 'BĘDĘ', 'Bede', 'Tak', 'tak', 'Przyjdę', 'Przyjde', 'Yes', "I'll be there", 'I’ll be there', 'Wezmę udział'];
const NO = ['Nie będę', 'nie bede', 'Nie dam rady', 'Nie', 'nie', 'Nie przyjdę', 'No', "Can't make it", 'can’t make it', 'Niestety nie'];
const UNCLEAR = ['Nie wiem', 'Tak, ale nie wiem', 'O której?', 'Proszę o program', 'Może być we wtorek?', 'Yes or no?', 'Tak?'];
// Everything a client puts under the person's words; it must never change the answer.
const QUOTES = [
  (a: string) => `W dniu 1.02.2027 o 10:00 Kooperator <kooperator@rcps.example.org> napisał:\n> ${a}`,
  (a: string) => `On Mon, 1 Feb 2027 at 10:00, Kooperator wrote:\n> ${a}`,
  (a: string) => `-----Original Message-----\nFrom: Kooperator\nSent: Monday\nSubject: Re\n\n${a}`,
  (a: string) => `________________________________\nOd: Kooperator RCPS\nWysłane: poniedziałek, 1 lutego 2027 10:00\n\n${a}`,
  (a: string) => `-- \nOsoba\n${a}`,
  (a: string) => `Wysłane z iPhone'a\n\n${a}`,
];
const CLOSINGS = ['', '\n\nPozdrawiam\nAnna Nowak', '\n\nKind regards,\nAnna', '\nDziękuję'];
const PUNCT = ['', '.', '!', ',', ' :)'];

describe('plain words of a reply', () => {
  it('should read each clear answer, whatever is quoted or signed below it, and never the quoted words', async () => {
    const answer = fc.oneof(fc.constantFrom(...YES).map((w) => ({ w, a: 'yes' })), fc.constantFrom(...NO).map((w) => ({ w, a: 'no' })));
    const arbitrary = fc.record({ answer, punct: fc.constantFrom(...PUNCT), closing: fc.constantFrom(...CLOSINGS), quote: fc.constantFrom(...QUOTES), quoted: fc.constantFrom(...YES, ...NO, ...UNCLEAR), greeting: fc.constantFrom('', 'Dzień dobry,\n', 'Hi,\n\n') });
    await checkModel(
      'plain answers',
      arbitrary,
      async ({ answer: { w, a }, punct, closing, quote, quoted, greeting }) => {
        const text = `${greeting}${w}${punct}${closing}\n\n${quote(quoted)}`;
        expect(plainAnswer(text)?.answer, text).toBe(a);
      },
      modelRuns(300),
    );
  });

  it.each(UNCLEAR)('should find no clear answer in %j', (text) => {
    expect(plainAnswer(text)).toBeUndefined();
  });

  it('should keep a reason given after the answer, in the person\'s own spelling', () => {
    expect(plainAnswer('Nie będę, mam rozprawę w sądzie.')).toEqual({ answer: 'no', rest: 'mam rozprawę w sądzie.' });
  });

  it('should fold case and diacritics, and keep only the words above the quote', () => {
    expect(fold('Nie  BĘDĘ, Łódź')).toBe('nie bede, lodz');
    expect(ownWords('Tak\n\nOn Mon, 1 Feb 2027,\nKooperator wrote:\n> nie')).toBe('Tak');
  });
});

describe('absence periods in out-of-office replies', () => {
  it.each([
    ['Jestem na urlopie od 1 do 14 lipca.', { from: '2027-07-01', to: '2027-07-14' }],
    ['Nieobecna od 1 lipca do 14 sierpnia 2027', { from: '2027-07-01', to: '2027-08-14' }],
    ['I am out of the office until 14 July.', { from: '2027-06-20', to: '2027-07-14' }],
    ['until July 14th', { from: '2027-06-20', to: '2027-07-14' }],
    ['Urlop 01.07.2027 - 14.07.2027', { from: '2027-07-01', to: '2027-07-14' }],
    ['Poza biurem do 14.07', { from: '2027-06-20', to: '2027-07-14' }],
    ['od 28 grudnia do 3 stycznia', { from: '2027-12-28', to: '2028-01-03' }],
    ['Back on Monday', undefined],
    ['Urlop 01.01.2027 - 14.01.2027', undefined],
  ])('should read %j', (text, period) => {
    expect(absencePeriod(text, '2027-06-20')).toEqual(period);
  });
});
