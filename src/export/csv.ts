/**
 * CSV as Polish Excel opens it: UTF-8 with a byte-order mark (or Excel guesses Windows-1250
 * and mangles ą, ł, ż), semicolons between fields (the list separator of a Polish locale),
 * CRLF line ends, a header row. Fields are quoted when they hold a separator, quote or line
 * break, and cells that a spreadsheet would run as a formula get a leading apostrophe.
 */
export type CsvValue = string | number | null | undefined | Date;

const BOM = '\uFEFF';

export function toCsv(header: string[], rows: CsvValue[][]): string {
  const lines = [header, ...rows].map((row) => row.map(cell).join(';'));
  return BOM + lines.join('\r\n') + '\r\n';
}

function cell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  // CSV injection: =, +, -, @ at the start make Excel evaluate the cell (numbers are safe).
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
