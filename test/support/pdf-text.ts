import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * PDFs are checked by reading them back with poppler's pdftotext and pdfinfo, as a person's
 * PDF reader would. Without poppler-utils the PDF tests are skipped with a message, unless
 * REQUIRE_PDFTOTEXT=1 (CI installs poppler-utils and sets it), where its absence fails them.
 */
export const hasPoppler = spawnSync('pdftotext', ['-v']).error === undefined && spawnSync('pdfinfo', ['-v']).error === undefined;

if (!hasPoppler) {
  if (process.env.REQUIRE_PDFTOTEXT === '1') throw new Error('pdftotext/pdfinfo (poppler-utils) are missing and REQUIRE_PDFTOTEXT=1: install poppler-utils');
  process.stderr.write('PDF tests skipped: pdftotext/pdfinfo (poppler-utils) are not installed. Install poppler-utils, or set REQUIRE_PDFTOTEXT=1 to make this a failure.\n');
}

function withFile<T>(pdf: Buffer, work: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'kooperator-pdf-'));
  try {
    const path = join(dir, 'doc.pdf');
    writeFileSync(path, pdf);
    return work(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text of the PDF (or of pages first..last) in its layout: one line per printed line. */
export function pdfText(pdf: Buffer, pages?: { first: number; last: number }): string {
  const range = pages ? ['-f', String(pages.first), '-l', String(pages.last)] : [];
  return withFile(pdf, (path) => execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', ...range, path, '-'], { encoding: 'utf8' }));
}

/** pdfinfo's fields: Pages, Page size, Title… */
export function pdfInfo(pdf: Buffer): Record<string, string> {
  const out = withFile(pdf, (path) => execFileSync('pdfinfo', ['-enc', 'UTF-8', path], { encoding: 'utf8' }));
  return Object.fromEntries(out.split('\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]));
}
