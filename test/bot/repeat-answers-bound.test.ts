import { describe, expect, it } from 'vitest';
import { MAX_KEEP_MS, MAX_REPEAT_ANSWERS, RepeatAnswers } from '../../src/bot/repeat-answers.js';
import type { Message } from '../../src/ports/channel.port.js';

/** Kept answers are bounded (issue 17): at MAX_REPEAT_ANSWERS the expired go first, then the oldest. */
describe('the kept answers', () => {
  const message = (n: number): Message => ({ language: 'pl', title: 'Spotkania', text: `odpowiedź ${n}` });

  it('should keep at most MAX_REPEAT_ANSWERS, letting the oldest go first, and still answer the rest', () => {
    const kept = new RepeatAnswers();
    const now = 1_000_000;
    for (let i = 0; i <= MAX_REPEAT_ANSWERS; i++) kept.keep(`k${i}`, message(i), 1, now, now + MAX_KEEP_MS);
    expect(kept.get('k0', 1, now)).toBeUndefined();
    expect(kept.get('k1', 1, now)?.text).toBe('odpowiedź 1');
    expect(kept.get(`k${MAX_REPEAT_ANSWERS}`, 1, now)?.text).toBe(`odpowiedź ${MAX_REPEAT_ANSWERS}`);
  });

  it('should drop the answers past their time before any still good when full', () => {
    const kept = new RepeatAnswers();
    const now = 1_000_000;
    kept.keep('good', message(0), 1, now, now + MAX_KEEP_MS);
    for (let i = 1; i < MAX_REPEAT_ANSWERS; i++) kept.keep(`short${i}`, message(i), 1, now, now + 10);
    kept.keep('new', message(-1), 1, now + 20, now + 20 + MAX_KEEP_MS);
    // The first kept (the oldest) is still there: the expired ones made the room.
    expect(kept.get('good', 1, now + 20)?.text).toBe('odpowiedź 0');
    expect(kept.get('new', 1, now + 20)?.text).toBe('odpowiedź -1');
  });

  it('should replace the answer kept for the same key rather than keep two', () => {
    const kept = new RepeatAnswers();
    kept.keep('k', message(1), 1, 0, MAX_KEEP_MS);
    kept.keep('k', message(2), 1, 0, MAX_KEEP_MS);
    expect(kept.get('k', 1, 0)?.text).toBe('odpowiedź 2');
  });
});
