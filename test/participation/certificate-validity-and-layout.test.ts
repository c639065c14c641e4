import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { writeCertificatePdf, type CertificateView } from '../../src/participation/certificate-pdf.js';
import { certificateDownloadUrl, certificateVerifyUrl } from '../../src/participation/certificate-links.js';
import { certificateRoutes } from '../../src/participation/certificate-routes.js';
import { sendCertificates } from '../../src/participation/certificates.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { hasPoppler, pdfInfo } from '../support/pdf-text.js';
import { mark, proofFixture, SECRET, serve, TRAINING, WORKSHOP } from './proof-fixture.js';

describe.each(dialects)('certificate verification follows presence as recorded now, on %s', (kind) => {
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

  it('should withdraw a certificate whose presence was corrected to absent: 404 with a page saying it is no longer valid', async () => {
    const person = ids['lodz4@example.org']!;
    await mark(db.db, clock, [{ kind: 'activity', ref: TRAINING, day: '2027-03-20', person, present: true }]);
    await sendCertificates(db.db, { activityId: TRAINING, mode: 'all', now: clock.now() });
    const { number } = await db.db.selectFrom('certificates').select('number').where('person_id', '=', person).executeTakeFirstOrThrow();
    // The coordinator corrects the check-in: she was not there after all.
    await db.db.updateTable('attendance').set({ present: false }).where('person_id', '=', person).where('ref_id', '=', TRAINING).execute();
    const response = await fetch(certificateVerifyUrl(web.base, SECRET, number));
    const page = await response.text();
    expect(page).not.toContain('Zaświadczenie jest prawdziwe');
    expect(page).toContain('wycofane');
    expect(response.status).toBe(404);
  });

  it('should certify the days present as recorded now, and withdraw the certificate (page and PDF) when the activity is cancelled', async () => {
    const person = ids['lodz8@example.org']!;
    await mark(db.db, clock, [
      { kind: 'activity', ref: WORKSHOP, day: '2027-03-10', person, present: true },
      { kind: 'activity', ref: WORKSHOP, day: '2027-03-11', person, present: true },
    ]);
    await sendCertificates(db.db, { activityId: WORKSHOP, personIds: [person], mode: 'request', now: clock.now() });
    const certificate = await db.db.selectFrom('certificates').select(['id', 'number']).where('person_id', '=', person).where('activity_id', '=', WORKSHOP).executeTakeFirstOrThrow();
    const verify = async () => {
      const response = await fetch(certificateVerifyUrl(web.base, SECRET, certificate.number));
      return { status: response.status, page: await response.text() };
    };
    expect((await verify()).page).toContain('14 godz.');
    // The second day corrected to absent: the page certifies the first day's 7 hours, no longer 14.
    await db.db.updateTable('attendance').set({ present: false }).where('person_id', '=', person).where('ref_id', '=', WORKSHOP).where('day', '=', '2027-03-11').execute();
    const corrected = await verify();
    expect(corrected.status).toBe(200);
    expect(corrected.page).toContain('7 godz.');
    expect(corrected.page).not.toContain('14 godz.');
    const pdf = certificateDownloadUrl(web.base, SECRET, person, certificate.id, clock.now());
    expect((await fetch(pdf)).status).toBe(200);
    await db.db.updateTable('activities').set({ cancelled_at: clock.now() }).where('id', '=', WORKSHOP).execute();
    try {
      const cancelled = await verify();
      expect(cancelled.status).toBe(404);
      expect(cancelled.page).toContain('wycofane');
      expect(cancelled.page).not.toContain('Zaświadczenie jest prawdziwe');
      expect((await fetch(pdf)).status).toBe(404);
    } finally {
      await db.db.updateTable('activities').set({ cancelled_at: null }).where('id', '=', WORKSHOP).execute();
    }
  });
});

describe('certificate PDF layout', () => {
  const cases: [string, string[], string][] = [
    ['31 days present in a month', Array.from({ length: 31 }, (_, i) => DateTime.fromISO('2027-03-01').plus({ days: i }).toISODate()!), '2027-03-31T16:00'],
    ['40 days present in a row', Array.from({ length: 40 }, (_, i) => DateTime.fromISO('2027-03-01').plus({ days: i }).toISODate()!), '2027-04-09T16:00'],
    ['40 days present every other day', Array.from({ length: 40 }, (_, i) => DateTime.fromISO('2027-03-01').plus({ days: 2 * i }).toISODate()!), '2027-05-19T16:00'],
  ];
  it.skipIf(!hasPoppler).each(cases)('should keep a long course\'s certificate (%s) on one A4 page, its facts above the QR code and verification text', async (_name, days, ends) => {
    const view = {
      id: 1, number: 'ZU/2027/000001', personId: 1, name: 'Anna Nowak', institution: 'Sąd Rejonowy', days, minutes: days.length * 420, issuedAt: new Date('2027-06-10T10:00:00Z'),
      activity: { id: 'kurs', kind: 'training', title: 'Kurs', starts_local: '2027-03-01T09:00', ends_local: ends, timezone: 'Europe/Warsaw', location: 'Łódź', online_url: null },
    } as unknown as CertificateView;
    const chunks: Buffer[] = [];
    const out = new Writable({ write: (chunk: Buffer, _e, done) => void (chunks.push(chunk), done()) });
    await writeCertificatePdf(view, 'http://127.0.0.1/certificates/abc.def', out);
    const pdf = Buffer.concat(chunks);
    expect(pdfInfo(pdf).Pages).toBe('1');
    // Where pdftotext finds each word (its bounding boxes): the last fact must end above the verification block.
    const dir = mkdtempSync(join(tmpdir(), 'certificate-'));
    try {
      writeFileSync(join(dir, 'c.pdf'), pdf);
      const boxes = execFileSync('pdftotext', ['-bbox', join(dir, 'c.pdf'), '-'], { encoding: 'utf8' });
      const top = (word: string) => Number(new RegExp(`yMin="([\\d.]+)"[^>]*>${word}<`).exec(boxes)![1]);
      const bottom = (word: string) => Number(new RegExp(`yMax="([\\d.]+)">${word}<`).exec(boxes)![1]);
      expect(top('Wydano:')).toBeLessThan(top('Weryfikacja'));
      expect(bottom('Wydano:')).toBeLessThan(top('Weryfikacja'));
      expect(boxes).toContain('>Termin<');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
