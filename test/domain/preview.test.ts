import { describe, expect, it } from 'vitest';
import { preview } from '../../src/domain/preview.js';

describe('a glimpse of a person\'s text', () => {
  it('should keep whole characters and mark the cut', () => {
    expect(preview('krótko', 10)).toBe('krótko');
    expect(preview(`${'a'.repeat(9)}👩🏽‍💻b`, 10)).toBe(`${'a'.repeat(9)}…`);
    expect(preview(`${'a'.repeat(8)}e\u0301e\u0301`, 10)).toBe(`${'a'.repeat(8)}e\u0301…`);
    expect(preview('słowo '.repeat(10), 12)).toBe('słowo słowo…');
  });
});
