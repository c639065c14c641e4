import type { Writable } from 'node:stream';
import type { QRCode } from 'qrcode';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { ActivityRow, Database } from '../db/tables.js';
import { formatDate, formatTime } from '../i18n/format.js';
import { messages } from '../i18n/messages.js';
import { activityDays, hoursText, minutesOn, type ActivityDay } from './activity-days.js';
import { attendedActivities } from './certificates.js';
import { cellText, lineAt, newPdf, pipePdf } from './pdf-fonts.js';
import { PROGRAMME } from './programme.js';

/**
 * A certificate with its person and activity, and what it certifies as presence stands NOW: the
 * PDF and the verification page show this, never the days stored at issue, so a presence
 * corrected to absent after the certificate was sent is not vouched for by its link.
 */
export interface CertificateView {
  id: number;
  number: string;
  personId: number;
  name: string;
  institution: string | null;
  activity: ActivityRow;
  days: string[];
  minutes: number;
  issuedAt: Date;
  /**
   * The person has no certified day left at the activity (every presence corrected to absent,
   * the activity cancelled or no longer running on those days): the certificate is withdrawn.
   */
  withdrawn?: boolean;
}

export async function loadCertificate(db: Kysely<Database>, by: { id: number } | { number: string }): Promise<CertificateView | undefined> {
  let query = db
    .selectFrom('certificates')
    .innerJoin('people', 'people.id', 'certificates.person_id')
    .innerJoin('activities', 'activities.id', 'certificates.activity_id')
    .selectAll('activities')
    .select(['certificates.id as certificate_id', 'certificates.number', 'certificates.person_id', 'certificates.issued_at', 'people.name as person_name', 'people.institution as person_institution']);
  query = 'id' in by ? query.where('certificates.id', '=', by.id) : query.where('certificates.number', '=', by.number);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const { certificate_id, number, person_id, issued_at, person_name, person_institution, ...activity } = row;
  const view = { id: certificate_id, number, personId: person_id, name: person_name, institution: person_institution, activity, issuedAt: issued_at };
  // Presence as recorded now (attendedActivities leaves out cancelled activities and absent days).
  const [attended] = await attendedActivities(db, person_id, activity.id);
  if (!attended) return { ...view, days: [], minutes: 0, withdrawn: true };
  const days = [...attended.days].sort();
  return { ...view, days, minutes: minutesOn(activityDays(activity), new Set(days)) };
}

/**
 * The days attended with their hours, consecutive days with the same hours as one range:
 * "1 marca 2027 – 31 marca 2027, 09:00–16:00", so a month-long course is a line, not 31.
 */
export function attendedDates(view: CertificateView, language: 'pl' | 'en'): string[] {
  const attended = new Set(view.days);
  const hours = (d: ActivityDay) => `${formatTime(d.start, language)}–${formatTime(d.end, language)}`;
  const runs: ActivityDay[][] = [];
  for (const d of activityDays(view.activity).filter((x) => attended.has(x.day))) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    const next = last && DateTime.fromISO(last.day).plus({ days: 1 }).toISODate() === d.day && hours(last) === hours(d);
    if (run && next) run.push(d);
    else runs.push([d]);
  }
  return runs.map((run) => {
    const first = run[0]!;
    const last = run.at(-1)!;
    const dates = run.length === 1 ? formatDate(first.start, language) : `${formatDate(first.start, language)} – ${formatDate(last.start, language)}`;
    return `${dates}, ${hours(first)}`;
  });
}

const PAGE = { width: 595.28, height: 841.89, margin: 56 };

/**
 * The zaświadczenie o udziale as a PDF written to `out`: A4, DejaVu Sans, the programme's line,
 * the number, whom it certifies (name, institution), the activity (kind, title, days attended
 * with hours, hours in total, place), the date of issue, and the verification link with its QR
 * code (drawn as vector squares, sharp at any print size).
 */
export async function writeCertificatePdf(view: CertificateView, verifyUrl: string, out: Writable): Promise<void> {
  // Loaded with the first certificate, like pdfkit (src/participation/pdf-fonts.ts): most services never make one.
  const { default: qrcode } = await import('qrcode');
  const doc = await newPdf({ title: `Zaświadczenie o udziale nr ${view.number}`, subject: `${PROGRAMME.name}: ${view.activity.title}`, now: view.issuedAt });
  const { done } = pipePdf(doc, out);
  doc.addPage({ size: 'A4', margin: 0 });
  const { margin } = PAGE;
  const width = PAGE.width - 2 * margin;
  doc.font('regular').fontSize(8).fillColor('#333333').text(PROGRAMME.line, margin, margin, { width, align: 'center' });
  doc.font('bold').fontSize(20).fillColor('#000000').text('ZAŚWIADCZENIE O UDZIALE', margin, margin + 60, { width, align: 'center' });
  doc.font('regular').fontSize(11).text(`nr ${view.number}`, margin, margin + 90, { width, align: 'center' });
  doc.fontSize(11).text('Zaświadcza się, że niżej wymieniona osoba uczestniczyła w wydarzeniu organizowanym w ramach programu ' + `„${PROGRAMME.name}”:`, margin, margin + 130, { width });
  const issued = formatDate(DateTime.fromJSDate(view.issuedAt, { zone: 'Europe/Warsaw' }), 'pl');
  const dates = attendedDates(view, 'pl');
  const facts: [string, string][] = [
    ['Imię i nazwisko', cellText(view.name)],
    ['Instytucja', cellText(view.institution ?? '—')],
    ['Rodzaj', messages.pl.kind(view.activity.kind)],
    ['Tytuł', cellText(view.activity.title)],
    // A few ranges one per line; many (days here and there) run on as a paragraph.
    ['Termin udziału', dates.join(dates.length > 6 ? '; ' : '\n')],
    ['Liczba godzin udziału', hoursText(view.minutes, 'pl')],
    ['Miejsce', cellText([view.activity.location, view.activity.online_url].filter(Boolean).join(', ') || '—')],
  ];
  const qrTop = PAGE.height - margin - 150;
  // The facts and the "Wydano" line must end above the verification block: the dates shrink,
  // then are cut with "…", rather than run into the QR code or onto a second page.
  const top = margin + 175;
  const bottom = qrTop - 40;
  const valueWidth = width - 145;
  const style = (label: string) => (label === 'Imię i nazwisko' ? { font: 'bold', size: 12 } : { font: 'regular', size: 10.5 });
  const heightOf = (label: string, value: string, size = style(label).size) => {
    doc.font(style(label).font).fontSize(size);
    return Math.max(18, doc.heightOfString(value, { width: valueWidth }) + 6);
  };
  const others = facts.filter(([label]) => label !== 'Termin udziału').reduce((sum, [label, value]) => sum + heightOf(label, value), 0);
  const datesRoom = Math.max(18, bottom - top - others);
  let datesSize = 10.5;
  while (datesSize > 7 && heightOf('Termin udziału', facts[4]![1], datesSize) > datesRoom) datesSize -= 0.5;
  let y = top;
  for (const [label, value] of facts) {
    lineAt(doc, `${label}:`, margin, y, 140, { size: 10, bold: true });
    const isDates = label === 'Termin udziału';
    const size = isDates ? datesSize : style(label).size;
    doc.font(style(label).font).fontSize(size);
    const room = isDates ? datesRoom - 6 : Math.max(12, bottom - y);
    const height = Math.min(doc.heightOfString(value, { width: valueWidth }), room);
    doc.text(value, margin + 145, y - (label === 'Imię i nazwisko' ? 1 : 0), { width: valueWidth, height: room, ellipsis: true });
    y += Math.max(18, height + 6);
  }
  doc.font('regular').fontSize(10).fillColor('#000000').text(`Wydano: ${issued}, ${PROGRAMME.issuer} (Kooperator).`, margin, Math.min(y + 20, bottom + 10), { width, height: 24, ellipsis: true });
  drawQr(doc, qrcode.create(verifyUrl, { errorCorrectionLevel: 'M' }), margin, qrTop, 110);
  doc.font('bold').fontSize(9).text('Weryfikacja zaświadczenia', margin + 125, qrTop, { width: width - 125 });
  doc.font('regular').fontSize(8.5).text('Prawdziwość zaświadczenia można sprawdzić pod adresem (lub kodem QR obok); strona pokaże, co ono poświadcza:', margin + 125, qrTop + 15, { width: width - 125 });
  doc.font('regular').fontSize(7).fillColor('#0b4f9c').text(verifyUrl, margin + 125, qrTop + 45, { width: width - 125, link: verifyUrl });
  doc.end();
  await done;
}

function drawQr(doc: PDFKit.PDFDocument, qr: QRCode, x: number, y: number, size: number): void {
  const count = qr.modules.size;
  const cell = size / (count + 8);
  const start = { x: x + 4 * cell, y: y + 4 * cell };
  doc.fillColor('#000000');
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < count; c++) {
      if (qr.modules.get(r, c)) doc.rect(start.x + c * cell, start.y + r * cell, cell, cell);
    }
  }
  doc.fill();
}
