import type { Writable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { formatDate, formatTime } from '../i18n/format.js';
import type { AttendanceList, ListPerson } from './attendance-list.js';
import { cellText, lineAt, newPdf, pipePdf, twoLinesAt } from './pdf-fonts.js';
import { PROGRAMME } from './programme.js';

/** Rows on one page: the funder's form has 30, and the header repeats on every page. */
export const ROWS_PER_PAGE = 30;

const PAGE = { width: 595.28, height: 841.89, margin: 36 };
const ROW = 19;
const TABLE_TOP = 176;
// Lp., name, institution, presence, signature (the rest of the width).
const COLUMNS = [
  { title: 'Lp.', width: 26 },
  { title: 'Imię i nazwisko', width: 150 },
  { title: 'Instytucja', width: 160 },
  { title: 'Obecność', width: 56 },
  { title: 'Podpis', width: PAGE.width - 2 * PAGE.margin - 26 - 150 - 160 - 56 },
] as const;

export const PRESENCE_MARK = { present: 'tak', absent: 'nie', unknown: '—' } as const;

/**
 * Writes the lista obecności as a PDF to `out` (an HTTP response, a file): A4, DejaVu Sans, the
 * programme's line, the event's kind, title, date and hours, place, then a row per person with an
 * empty signature cell, 30 rows a page with the header repeated and "strona n z m". A multi-day
 * activity gets one section per day, each on its own pages (people sign each day). `blank` prints
 * the same people with the presence column empty, for printing before the event.
 *
 * pdfkit streams each page out as it is finished and the loop yields between pages, so a list
 * of 500 never sits in memory whole and the service keeps answering other requests meanwhile.
 */
export async function writeAttendancePdf(list: AttendanceList, options: { blank: boolean; now: Date }, out: Writable): Promise<void> {
  const title = `Lista obecności: ${list.title}`;
  const doc = await newPdf({ title, subject: `${PROGRAMME.name}: ${list.kindName}`, now: options.now });
  const { done, gone } = pipePdf(doc, out);
  const pagesPerDay = Math.max(1, Math.ceil(list.people.length / ROWS_PER_PAGE));
  const total = pagesPerDay * list.days.length;
  let page = 0;
  pages: for (const day of list.days) {
    for (let p = 0; p < pagesPerDay; p++) {
      doc.addPage({ size: 'A4', margin: 0 });
      page++;
      header(doc, list, day, options.blank);
      const rows = list.people.slice(p * ROWS_PER_PAGE, (p + 1) * ROWS_PER_PAGE);
      rows.forEach((person, i) => row(doc, p * ROWS_PER_PAGE + i + 1, person, options.blank ? '' : mark(person, day.day), TABLE_TOP + ROW * (i + 1)));
      grid(doc, rows.length);
      footer(doc, page, total, options);
      await setImmediate();
      if (gone()) break pages;
    }
  }
  doc.end();
  await done;
}

function mark(person: ListPerson, day: string): string {
  const present = person.presence.get(day);
  return present === undefined ? PRESENCE_MARK.unknown : present ? PRESENCE_MARK.present : PRESENCE_MARK.absent;
}

function header(doc: PDFKit.PDFDocument, list: AttendanceList, day: AttendanceList['days'][number], blank: boolean): void {
  const { margin } = PAGE;
  const width = PAGE.width - 2 * margin;
  doc.font('regular').fontSize(7.5).fillColor('#333333').text(PROGRAMME.line, margin, margin, { width, align: 'center', height: 22 });
  lineAt(doc, blank ? 'LISTA OBECNOŚCI (do podpisu)' : 'LISTA OBECNOŚCI', margin, margin + 26, width, { size: 15, bold: true });
  doc.font('bold').fontSize(11).fillColor('#000000').text(cellText(list.title), margin, margin + 48, { width, height: 28, ellipsis: true });
  const start = day.start;
  const date = `${formatDate(start, 'pl')} (${start.setLocale('pl').toFormat('cccc')}), godz. ${formatTime(start, 'pl')}–${formatTime(day.end, 'pl')}`;
  const facts: [string, string][] = [
    ['Rodzaj', list.kindName],
    ['Data', list.days.length > 1 ? `${date} · dzień ${list.days.indexOf(day) + 1} z ${list.days.length}` : date],
    ['Miejsce', list.place ?? '—'],
    ...(list.teamName ? ([['Zespół', list.teamName]] as [string, string][]) : []),
  ];
  facts.forEach(([label, value], i) => {
    const y = margin + 80 + i * 14;
    lineAt(doc, `${label}:`, margin, y, 60, { size: 9, bold: true });
    lineAt(doc, value, margin + 62, y, width - 62, { size: 9, min: 7 });
  });
  let x = margin;
  doc.rect(margin, TABLE_TOP, width, ROW).fill('#e8e8e8');
  for (const column of COLUMNS) {
    lineAt(doc, column.title, x + 3, TABLE_TOP + 6, column.width - 6, { size: 8.5, bold: true });
    x += column.width;
  }
}

function row(doc: PDFKit.PDFDocument, number: number, person: ListPerson, presence: string, y: number): void {
  const [lp, name, institution, present] = COLUMNS;
  let x = PAGE.margin;
  lineAt(doc, String(number), x + 3, y + 5.5, lp.width - 6, { size: 8.5 });
  x += lp.width;
  if (person.substituteFor) {
    lineAt(doc, person.name, x + 3, y + 2.5, name.width - 6, { size: 8.5, min: 6.5 });
    lineAt(doc, `zastępstwo za: ${person.substituteFor}`, x + 3, y + 11.2, name.width - 6, { size: 6, min: 5, color: '#333333' });
  } else {
    lineAt(doc, person.name, x + 3, y + 5.5, name.width - 6, { size: 8.5, min: 6.5 });
  }
  x += name.width;
  twoLinesAt(doc, person.institution ?? '', x + 3, y, institution.width - 6, ROW, { size: 8, min: 6 });
  x += institution.width;
  if (presence) lineAt(doc, presence, x + 3, y + 5.5, present.width - 6, { size: 8.5 });
}

/** The table's lines: every row ruled, the columns drawn down to the last row. */
function grid(doc: PDFKit.PDFDocument, rows: number): void {
  const { margin } = PAGE;
  const bottom = TABLE_TOP + ROW * (rows + 1);
  doc.lineWidth(0.5).strokeColor('#000000');
  for (let i = 0; i <= rows + 1; i++) doc.moveTo(margin, TABLE_TOP + ROW * i).lineTo(PAGE.width - margin, TABLE_TOP + ROW * i);
  let x = margin;
  doc.moveTo(x, TABLE_TOP).lineTo(x, bottom);
  for (const column of COLUMNS) {
    x += column.width;
    doc.moveTo(x, TABLE_TOP).lineTo(x, bottom);
  }
  doc.stroke();
}

function footer(doc: PDFKit.PDFDocument, page: number, total: number, options: { blank: boolean; now: Date }): void {
  const y = PAGE.height - 30;
  const made = DateTime.fromJSDate(options.now, { zone: 'Europe/Warsaw' }).toFormat('yyyy-MM-dd HH:mm');
  const note = options.blank ? `Wydruk przed wydarzeniem · Kooperator, ${made}` : `tak: obecna/obecny · nie: nieobecna/nieobecny · —: brak zapisu · Kooperator, ${made}`;
  lineAt(doc, note, PAGE.margin, y, 400, { size: 7, color: '#333333' });
  doc.font('regular').fontSize(8).fillColor('#000000').text(`strona ${page} z ${total}`, PAGE.width - PAGE.margin - 120, y, { width: 120, align: 'right', lineBreak: false });
}
