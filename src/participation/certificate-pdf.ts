import type { Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import QRCode from 'qrcode';
import type { ActivityRow, Database } from '../db/tables.js';
import { formatDate, formatTime } from '../i18n/format.js';
import { messages } from '../i18n/messages.js';
import { activityDays, hoursText } from './activity-days.js';
import { lineAt, newPdf, pipePdf } from './pdf-fonts.js';
import { PROGRAMME } from './programme.js';

/** A certificate as recorded, with its person and activity: what the PDF and the verification page show. */
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
}

export async function loadCertificate(db: Kysely<Database>, by: { id: number } | { number: string }): Promise<CertificateView | undefined> {
  let query = db
    .selectFrom('certificates')
    .innerJoin('people', 'people.id', 'certificates.person_id')
    .innerJoin('activities', 'activities.id', 'certificates.activity_id')
    .selectAll('activities')
    .select(['certificates.id as certificate_id', 'certificates.number', 'certificates.person_id', 'certificates.days', 'certificates.minutes', 'certificates.issued_at', 'people.name as person_name', 'people.institution as person_institution']);
  query = 'id' in by ? query.where('certificates.id', '=', by.id) : query.where('certificates.number', '=', by.number);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const { certificate_id, number, person_id, days, minutes, issued_at, person_name, person_institution, ...activity } = row;
  return { id: certificate_id, number, personId: person_id, name: person_name, institution: person_institution, activity, days: JSON.parse(days) as string[], minutes, issuedAt: issued_at };
}

/** "10–11 marca 2027, 09:00–16:00" style lines: each day attended with its hours. */
export function attendedDates(view: CertificateView, language: 'pl' | 'en'): string[] {
  const attended = new Set(view.days);
  return activityDays(view.activity)
    .filter((d) => attended.has(d.day))
    .map((d) => `${formatDate(d.start, language)}, ${formatTime(d.start, language)}–${formatTime(d.end, language)}`);
}

const PAGE = { width: 595.28, height: 841.89, margin: 56 };

/**
 * The zaświadczenie o udziale as a PDF written to `out`: A4, DejaVu Sans, the programme's line,
 * the number, whom it certifies (name, institution), the activity (kind, title, days attended
 * with hours, hours in total, place), the date of issue, and the verification link with its QR
 * code (drawn as vector squares, sharp at any print size).
 */
export async function writeCertificatePdf(view: CertificateView, verifyUrl: string, out: Writable): Promise<void> {
  const doc = newPdf({ title: `Zaświadczenie o udziale nr ${view.number}`, subject: `${PROGRAMME.name}: ${view.activity.title}`, now: view.issuedAt });
  const { done } = pipePdf(doc, out);
  doc.addPage({ size: 'A4', margin: 0 });
  const { margin } = PAGE;
  const width = PAGE.width - 2 * margin;
  doc.font('regular').fontSize(8).fillColor('#333333').text(PROGRAMME.line, margin, margin, { width, align: 'center' });
  doc.font('bold').fontSize(20).fillColor('#000000').text('ZAŚWIADCZENIE O UDZIALE', margin, margin + 60, { width, align: 'center' });
  doc.font('regular').fontSize(11).text(`nr ${view.number}`, margin, margin + 90, { width, align: 'center' });
  doc.fontSize(11).text('Zaświadcza się, że niżej wymieniona osoba uczestniczyła w wydarzeniu organizowanym w ramach programu ' + `„${PROGRAMME.name}”:`, margin, margin + 130, { width });
  const issued = formatDate(DateTime.fromJSDate(view.issuedAt, { zone: 'Europe/Warsaw' }), 'pl');
  const facts: [string, string][] = [
    ['Imię i nazwisko', view.name],
    ['Instytucja', view.institution ?? '—'],
    ['Rodzaj', messages.pl.kind(view.activity.kind)],
    ['Tytuł', view.activity.title],
    ['Termin udziału', attendedDates(view, 'pl').join('\n')],
    ['Liczba godzin udziału', hoursText(view.minutes, 'pl')],
    ['Miejsce', [view.activity.location, view.activity.online_url].filter(Boolean).join(', ') || '—'],
  ];
  let y = margin + 175;
  for (const [label, value] of facts) {
    lineAt(doc, `${label}:`, margin, y, 140, { size: 10, bold: true });
    doc.font(label === 'Imię i nazwisko' ? 'bold' : 'regular').fontSize(label === 'Imię i nazwisko' ? 12 : 10.5);
    const height = doc.heightOfString(value, { width: width - 145 });
    doc.text(value, margin + 145, y - (label === 'Imię i nazwisko' ? 1 : 0), { width: width - 145 });
    y += Math.max(18, height + 6);
  }
  doc.font('regular').fontSize(10).fillColor('#000000').text(`Wydano: ${issued}, ${PROGRAMME.issuer} (Kooperator).`, margin, y + 20, { width });
  const qrTop = PAGE.height - margin - 150;
  drawQr(doc, verifyUrl, margin, qrTop, 110);
  doc.font('bold').fontSize(9).text('Weryfikacja zaświadczenia', margin + 125, qrTop, { width: width - 125 });
  doc.font('regular').fontSize(8.5).text('Prawdziwość zaświadczenia można sprawdzić pod adresem (lub kodem QR obok); strona pokaże, co ono poświadcza:', margin + 125, qrTop + 15, { width: width - 125 });
  doc.font('regular').fontSize(7).fillColor('#0b4f9c').text(verifyUrl, margin + 125, qrTop + 45, { width: width - 125, link: verifyUrl });
  doc.end();
  await done;
}

function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
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
