import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/**
 * DejaVu Sans, embedded (subset) in every PDF we make: the standard PDF fonts have no ą, ę, ł,
 * ż. Found through Node's resolution from this module, so the same code works from src/ under tsx
 * and vitest and from dist/ in the build and the Docker image.
 */
const require = createRequire(import.meta.url);

export const PDF_FONTS = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
} as const;

// Read once per process: 700 KB each, and every list and certificate needs them.
let fonts: { regular: Buffer; bold: Buffer } | undefined;
const loaded = () => (fonts ??= { regular: readFileSync(PDF_FONTS.regular), bold: readFileSync(PDF_FONTS.bold) });

/**
 * An A4 document with the fonts 'regular' and 'bold', no automatic first page (the caller adds
 * pages where it wants them) and the given metadata. Its creation date is the caller's clock.
 */
export async function newPdf(info: { title: string; subject: string; now: Date }): Promise<PDFKit.PDFDocument> {
  // pdfkit (and fontkit under it) is some 20 MB of a process's memory once loaded, and most
  // services never make a PDF: it is loaded with the first one (issue 17, docs/operations.md#memory).
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    autoFirstPage: false,
    // Text is placed at explicit positions; a bottom margin of 0 keeps pdfkit from adding pages of its own.
    margins: { top: 0, bottom: 0, left: 0, right: 0 },
    info: { Title: info.title, Subject: info.subject, Author: 'Kooperator', Creator: 'Kooperator', Producer: 'Kooperator (pdfkit)', CreationDate: info.now },
    lang: 'pl-PL',
    displayTitle: true,
  });
  const { regular, bold } = loaded();
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);
  return doc;
}

/** The text cut (with "…") to fit `width` at the document's current font and size. */
export function fitText(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  // Start from a length that about fits, then take characters off: few measurements per cell.
  // Cut by code points, never inside a surrogate pair (a half would print as a missing glyph).
  const chars = Array.from(text);
  let n = Math.max(1, Math.floor((chars.length * width) / doc.widthOfString(text)));
  while (n > 1 && doc.widthOfString(`${chars.slice(0, n).join('')}…`) > width) n--;
  return `${chars.slice(0, n).join('').trimEnd()}…`;
}

/**
 * Text for a one-line cell: every run of white space (a line break or tab in a pasted name, a
 * roster's quoted YAML string) becomes one space. Drawn with lineBreak: false, a break would
 * reach the font as a character it has no glyph for and glue the words together.
 */
export function cellText(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

/** One line of text at (x, y), shrunk down to `min` points and then cut, never wrapped. */
export function lineAt(doc: PDFKit.PDFDocument, raw: string, x: number, y: number, width: number, options: { size: number; min?: number; bold?: boolean; color?: string }): void {
  const text = cellText(raw);
  doc.font(options.bold ? 'bold' : 'regular').fontSize(options.size);
  let size = options.size;
  while (size > (options.min ?? options.size) && doc.widthOfString(text) > width) doc.fontSize((size -= 0.5));
  doc.fillColor(options.color ?? '#000000').text(fitText(doc, text, width), x, y, { lineBreak: false });
}

/**
 * Text in a cell of two lines at most: one line at `size` when it fits, else two lines at the
 * largest size down to `min` that holds it whole, else two lines at `min` with the second cut.
 * Institutions' names are long and the funder wants them whole.
 */
export function twoLinesAt(doc: PDFKit.PDFDocument, raw: string, x: number, y: number, width: number, height: number, options: { size: number; min: number }): void {
  const text = cellText(raw);
  doc.font('regular').fontSize(options.size).fillColor('#000000');
  if (doc.widthOfString(text) <= width) return void doc.text(text, x, y + (height - options.size) / 2 - 1, { lineBreak: false });
  let size = options.size;
  let lines: [string, string] = split(doc, text, width);
  while (size > options.min && doc.widthOfString(lines[1]) > width) {
    doc.fontSize((size -= 0.5));
    lines = split(doc, text, width);
  }
  const top = y + (height - 2 * size * 1.15) / 2;
  doc.text(lines[0], x, top, { lineBreak: false });
  doc.text(fitText(doc, lines[1], width), x, top + size * 1.15, { lineBreak: false });
}

/** The longest first line (broken at a space) that fits, and the rest. */
function split(doc: PDFKit.PDFDocument, text: string, width: number): [string, string] {
  const words = text.split(' ');
  let first = words[0] ?? '';
  let i = 1;
  while (i < words.length && doc.widthOfString(`${first} ${words[i]}`) <= width) first += ` ${words[i++]}`;
  return [fitText(doc, first, width), words.slice(i).join(' ')];
}

/**
 * Pipes the document to `out` and resolves when `out` has everything. A reader that goes away
 * mid-document (a closed browser tab) is not an error of ours: it resolves too, and `gone()`
 * tells the writer to stop making pages nobody will read.
 */
export function pipePdf(doc: PDFKit.PDFDocument, out: Writable): { done: Promise<void>; gone: () => boolean } {
  const done = finished(doc.pipe(out)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  });
  return { done, gone: () => out.destroyed };
}
