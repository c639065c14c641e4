import { describe, expect, it } from 'vitest';
import { inline, markdownBlocks, renderHtml } from '../../../adapters/email/render-html.js';

describe('e-mail HTML', () => {
  it('should escape text, labels and URLs, and link only http(s) addresses', () => {
    expect(inline('a < b && "c" \'d\'')).toBe('a &lt; b &amp;&amp; &quot;c&quot; &#39;d&#39;');
    expect(inline('[x](https://e.org/?q="><script>)')).toBe(
      '<a href="https://e.org/?q=%22%3E%3Cscript%3E" style="color:#1d4ed8;text-decoration:underline;">x</a>',
    );
    expect(inline('[x](javascript:alert(1))')).toBe('[x](javascript:alert(1))');
    expect(inline('[x](data:text/html,hi)')).not.toContain('<a');
    expect(inline('**<i>bold</i>**')).toBe('<strong>&lt;i&gt;bold&lt;/i&gt;</strong>');
  });

  it('should write a button\'s href as a valid URL: "<", ">" and spaces percent-encoded (issue 14)', () => {
    const html = renderHtml({ language: 'pl', title: 'Przypomnienie', text: '', links: [{ label: 'Dołącz', url: 'https://e.org/meet?room=<12> a' }] });
    expect(html).toContain('href="https://e.org/meet?room=%3C12%3E%20a"');
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).not.toMatch(/[<>\s]|&lt;|&gt;/);
  });

  it('should turn "- " lines into a list and other lines into paragraphs', () => {
    expect(markdownBlocks('Intro\n- one\n- **two**\n\nEnd')).toBe(
      '<p style="margin:0 0 12px;">Intro</p>\n' +
        '<ul style="margin:0 0 12px;padding-left:24px;"><li>one</li><li><strong>two</strong></li></ul>\n' +
        '<p style="margin:0 0 12px;">End</p>',
    );
  });

  it('should drop chat buttons and non-web links, use the message language and load nothing from outside', () => {
    const html = renderHtml({
      language: 'en',
      title: 'Invitation <b>',
      text: 'Hello',
      actions: [{ id: 'rsvp', value: 'accept', label: 'Accept' }],
      links: [
        { label: 'Evil', url: 'javascript:alert(1)' },
        { label: 'Answer', url: 'https://kooperator.example.org/rsvp/abc.def' },
      ],
      preferencesUrl: 'https://kooperator.example.org/preferences/x',
    });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>Invitation &lt;b&gt;</title>');
    expect(html).not.toMatch(/Accept|Evil|javascript:/);
    expect(html).toContain('href="https://kooperator.example.org/rsvp/abc.def"');
    expect(html).toContain('Notification settings');
    expect(html).not.toMatch(/<(img|link|script|style|iframe)\b|src=/i);
  });
});
