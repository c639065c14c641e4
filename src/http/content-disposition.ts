import { graphemeSlice } from '../i18n/graphemes.js';

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
  // A lone surrogate (a name cut badly elsewhere) would make encodeURIComponent throw: the header
  // is built for every download, so it carries U+FFFD instead and never fails the response.
  const encoded = encodeURIComponent(wellFormed(filename)).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Lone surrogates replaced with U+FFFD (String.prototype.toWellFormed, not yet in our lib types). */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/**
 * A file name part from free text: lower case, letters (Polish ones kept) and digits, hyphens
 * between words, at most 60 graphemes (cut at a grapheme's boundary, never inside a letter
 * written with two UTF-16 units such as a styled 𝐏).
 */
export function fileSlug(text: string): string {
  const words = wellFormed(text)
    .toLocaleLowerCase('pl')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return graphemeSlice(words, 60).replace(/-+$/, '') || 'lista';
}
