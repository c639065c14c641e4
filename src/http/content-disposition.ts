/**
 * Content-Disposition for a file with a Polish name (RFC 6266): `filename` in plain ASCII for
 * old clients (ł → l, other diacritics dropped, anything else outside letters, digits, dot and
 * hyphen becomes a hyphen, so no quote or line break reaches the header) and `filename*` in
 * UTF-8 for every browser since 2011.
 */
export function contentDisposition(type: 'inline' | 'attachment', filename: string): string {
  const ascii =
    filename
      .replace(/ł/g, 'l')
      .replace(/Ł/g, 'L')
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^[-.]+/, '') || 'plik';
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A file name part from free text: lower case, letters (Polish ones kept) and digits, hyphens between words. */
export function fileSlug(text: string): string {
  return (
    text
      .toLocaleLowerCase('pl')
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'lista'
  );
}
