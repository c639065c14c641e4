/**
 * A person's own words (a report's description, a comment) put into `Message.text`, which is
 * light Markdown every adapter turns into links. A Markdown link in them would let its writer
 * show one label and lead to another address ("[Formularz RCPS – logowanie](https://phish…)"),
 * so their link syntax is undone and the address shown openly: "label (address)". Repeated
 * until none is left, so a link nested in a label cannot come back as one.
 */
const MARKDOWN_LINK = /\[([^\]]*)\]\(([^)]*)\)/g;

export function personText(text: string): string {
  let out = text;
  for (let i = 0; i < 10 && MARKDOWN_LINK.test(out); i++) {
    MARKDOWN_LINK.lastIndex = 0;
    out = out.replace(MARKDOWN_LINK, (_, label: string, url: string) => `${label} (${url})`);
  }
  MARKDOWN_LINK.lastIndex = 0;
  return out;
}
