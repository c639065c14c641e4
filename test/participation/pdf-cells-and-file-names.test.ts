import { Writable } from 'node:stream';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { contentDisposition, fileSlug } from '../../src/http/content-disposition.js';
import type { AttendanceList } from '../../src/participation/attendance-list.js';
import { writeAttendancePdf } from '../../src/participation/attendance-pdf.js';
import { cellText } from '../../src/participation/pdf-fonts.js';
import { hasPoppler, pdfText } from '../support/pdf-text.js';

describe('lista obecności PDF cells', () => {
  it.skipIf(!hasPoppler)('should print a name holding line breaks as words on its row, not glued together', async () => {
    const start = DateTime.fromISO('2027-03-20T09:00', { zone: 'Europe/Warsaw' });
    const person = (personId: number, name: string) => ({ personId, name, institution: 'Sąd Rejonowy', team: null, answer: null, substituteFor: null, presence: new Map<string, boolean>() });
    const list: AttendanceList = {
      subject: { kind: 'activity', refId: 'x' },
      kindName: 'Szkolenie',
      activityKind: 'training',
      title: 'Szkolenie',
      teamName: null,
      place: 'Łódź',
      days: [{ day: '2027-03-20', start, end: start.plus({ hours: 4 }) }],
      // A roster file's quoted YAML string, or a pasted name, can hold line breaks.
      people: [person(1, 'Anna\nBeata\nCelina\nDorota'), person(2, 'Zenon Zet'), person(3, 'Żaneta Żak')],
    };
    const chunks: Buffer[] = [];
    const out = new Writable({ write: (chunk: Buffer, _e, done) => void (chunks.push(chunk), done()) });
    await writeAttendancePdf(list, { blank: false, now: new Date('2027-03-21T09:00:00Z') }, out);
    const text = pdfText(Buffer.concat(chunks));
    expect(text.split('\n').some((line) => /^\s*1\s+Anna Beata Celina Dorota/.test(line))).toBe(true);
  });
});

describe('file names and cell text never break on unusual characters', () => {
  it('should cut a slug at a grapheme boundary, so the download header can always be built', () => {
    const slug = fileSlug(`${'a'.repeat(59)}𝐏𝐙𝐊`);
    expect(slug).toBe(`${'a'.repeat(59)}𝐏`);
    expect(() => contentDisposition('attachment', `${slug}.csv`)).not.toThrow();
    expect(Array.from(fileSlug('𝐏'.repeat(70)))).toEqual(Array.from('𝐏'.repeat(60)));
    // A cut that leaves a word's hyphen at the end drops it.
    expect(fileSlug(`${'c'.repeat(59)} dalej`)).toBe('c'.repeat(59));
  });

  it('should build a Content-Disposition even for a name holding a lone surrogate', () => {
    expect(contentDisposition('inline', 'lista-\uD835.pdf')).toContain("filename*=UTF-8''lista-%EF%BF%BD.pdf");
  });

  it('should turn every run of white space in a cell into one space', () => {
    expect(cellText(' Anna\nBeata\r\n\tCelina\u00A0Dorota ')).toBe('Anna Beata Celina Dorota');
  });
});
