import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { AttendanceList } from '../../src/participation/attendance-list.js';
import { writeAttendancePdf } from '../../src/participation/attendance-pdf.js';
import { writeCertificatePdf, type CertificateView } from '../../src/participation/certificate-pdf.js';
import { certificateVerifyUrl } from '../../src/participation/certificate-links.js';
import { certificateRoutes } from '../../src/participation/certificate-routes.js';
import { sendCertificates } from '../../src/participation/certificates.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { hasPoppler, pdfInfo, pdfText } from '../support/pdf-text.js';
import { mark, proofFixture, SECRET, serve, TRAINING } from '../participation/proof-fixture.js';

describe.each(dialects)('review of certificates on %s', (kind) => {
  let db: Db;
  let web: Awaited<ReturnType<typeof serve>>;
  let ids: Record<string, number>;
  const clock = new FixedClock('2027-03-21T09:00:00Z');

  beforeAll(async () => {
    db = await freshDatabase(kind);
    ids = await proofFixture(db.db, new FixedClock('2027-02-01T09:00:00Z'));
    web = await serve(certificateRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: 'http://127.0.0.1' }));
  }, 120_000);
  afterAll(async () => {
    await web?.close();
    await db?.close();
  });

  it('a certificate whose presence was corrected to absent (the 14-day late change) no longer verifies as genuine', async () => {
    const person = ids['lodz4@example.org']!;
    await mark(db.db, clock, [{ kind: 'activity', ref: TRAINING, day: '2027-03-20', person, present: true }]);
    await sendCertificates(db.db, { activityId: TRAINING, mode: 'all', now: clock.now() });
    const { number } = await db.db.selectFrom('certificates').select('number').where('person_id', '=', person).executeTakeFirstOrThrow();
    // The coordinator corrects the check-in: she was not there after all.
    await db.db.updateTable('attendance').set({ present: false }).where('person_id', '=', person).where('ref_id', '=', TRAINING).execute();
    const response = await fetch(certificateVerifyUrl(web.base, SECRET, number));
    const page = await response.text();
    // The page still says "Zaświadczenie jest prawdziwe" with 4 hours: it reads the record made at issue, never presence as recorded now.
    expect(page).not.toContain('Zaświadczenie jest prawdziwe');
    expect(response.status).toBe(404);
  });
});

describe('review of the lista obecności PDF', () => {
  it.skipIf(!hasPoppler)('a name holding a line break is printed as words on its row (today glued: "AnnaBeataCelinaDorota", the break drawn as a missing glyph)', async () => {
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
    // lineAt draws the text with lineBreak: false, so the break reaches the font as a character DejaVu has no glyph for.
    expect(text.split('\n').some((line) => /^\s*1\s+Anna Beata Celina Dorota/.test(line))).toBe(true);
  });
});

describe('review of the certificate PDF', () => {
  it.skipIf(!hasPoppler)('a certificate for a month-long course (31 days present) stays on one A4 page, its facts above the QR code and verification text', async () => {
    const days = Array.from({ length: 31 }, (_, i) => `2027-03-${String(i + 1).padStart(2, '0')}`);
    const view = {
      id: 1, number: 'ZU/2027/000001', personId: 1, name: 'Anna Nowak', institution: 'Sąd Rejonowy', days, minutes: 31 * 420, issuedAt: new Date('2027-04-10T10:00:00Z'),
      activity: { id: 'kurs', kind: 'training', title: 'Kurs', starts_local: '2027-03-01T09:00', ends_local: '2027-03-31T16:00', timezone: 'Europe/Warsaw', location: 'Łódź', online_url: null },
    } as unknown as CertificateView;
    const chunks: Buffer[] = [];
    const out = new Writable({ write: (chunk: Buffer, _e, done) => void (chunks.push(chunk), done()) });
    await writeCertificatePdf(view, 'http://127.0.0.1/certificates/abc.def', out);
    const pdf = Buffer.concat(chunks);
    expect(pdfInfo(pdf).Pages).toBe('1');
    // Where pdftotext finds each word (its bounding boxes): the last fact must end above the verification block.
    const dir = mkdtempSync(join(tmpdir(), 'r-proof-'));
    try {
      writeFileSync(join(dir, 'c.pdf'), pdf);
      const boxes = execFileSync('pdftotext', ['-bbox', join(dir, 'c.pdf'), '-'], { encoding: 'utf8' });
      const top = (word: string) => Number(new RegExp(`yMin="([\\d.]+)"[^>]*>${word}<`).exec(boxes)![1]);
      // The facts are drawn at a growing y with no limit (certificate-pdf.ts): 31 day lines run through the QR code and its text.
      expect(top('Wydano:')).toBeLessThan(top('Weryfikacja'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
