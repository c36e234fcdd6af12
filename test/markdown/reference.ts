/**
 * The yardstick of the spec corpus: markdown-it's own HTML (configured as the bridge's parser, minus
 * the bridge's rules) turned into the text a reader sees. Lists read as the bridge writes them (`•`,
 * `3.`), a rule as `———`, an image as its alt text; entities decoded.
 */
import { createParser } from '../../src/core/markdown/parser.ts';

const reference = createParser({ reference: true });
const TAG = /<(\/?)([a-z0-9]+)([^>]*)>|([^<]+)/g;
const ENTITY = /&(?:(amp|lt|gt|quot)|#(\d+)|#x([0-9a-f]+));/gi;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

function decode(text: string): string {
  return text.replace(ENTITY, (_, name?: string, dec?: string, hex?: string) =>
    name
      ? (NAMED[name.toLowerCase()] as string)
      : String.fromCodePoint(dec ? Number(dec) : Number.parseInt(hex ?? '0', 16)),
  );
}

/** What a reader sees of markdown-it's rendering of `markdown`. */
export function referenceVisible(markdown: string): string {
  const html = reference.render(markdown);
  const lists: Array<{ ordered: boolean; next: number }> = [];
  let out = '';
  for (const m of html.matchAll(TAG)) {
    const [, slash, name, attrs = '', text] = m;
    if (text !== undefined) {
      out += decode(text);
      continue;
    }
    if (slash) {
      if (name === 'ul' || name === 'ol') lists.pop();
      out += '\n';
      continue;
    }
    if (name === 'ul') lists.push({ ordered: false, next: 1 });
    else if (name === 'ol')
      lists.push({ ordered: true, next: Number(/start="(\d+)"/.exec(attrs)?.[1] ?? 1) });
    else if (name === 'li') {
      const list = lists.at(-1);
      out += list?.ordered ? `\n${list.next++}. ` : '\n• ';
    } else if (name === 'hr') out += '\n———\n';
    else if (name === 'img') out += decode(/alt="([^"]*)"/.exec(attrs)?.[1] ?? '');
    else out += '\n';
  }
  return out;
}
