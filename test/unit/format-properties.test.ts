/**
 * Round-trip properties of the three renderers over random Markdown-ish text: every chunk within the
 * limit, none blank, each one's markup valid on its own, and no visible character lost, added or
 * reordered (compared with the parser's own plain-text rendering, whitespace aside).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DISCORD_MAX_MESSAGE, renderDiscord } from '../../adapters/discord/format.ts';
import { renderSlack, SLACK_MAX_MESSAGE } from '../../adapters/slack/format.ts';
import { renderTelegram, TELEGRAM_MAX_MESSAGE } from '../../adapters/telegram/format.ts';
import { parseMarkdown, toPlainText } from '../../src/core/markdown/index.ts';

const TAGS = new Set(['b', 'i', 's', 'code', 'pre', 'a', 'blockquote']);
const TOKEN = /<(\/?)([a-z]+)((?: [a-z]+="[^"<>]*")*)>|&(?:(amp|lt|gt|quot);)?|[<>]|[^<>&]+/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

/**
 * Checks one message as Telegram's HTML parser would, more strictly: only the tags the renderer may
 * write, attributes only where allowed, properly nested, no `pre`/`code`/`a`/`blockquote` where
 * Telegram forbids them, every `&` an entity, no raw `<` or `>`. Returns the visible text.
 */
function telegramVisible(html: string): string {
  const open: string[] = [];
  let visible = '';
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < html.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(html) as RegExpExecArray;
    const [token, slash, name, attrs, entity] = m;
    if (name !== undefined) {
      if (!TAGS.has(name)) throw new Error(`tag <${name}> at ${at}`);
      if (slash) {
        if (open.pop() !== name || attrs) throw new Error(`unmatched </${name}> at ${at}`);
        continue;
      }
      const parent = open.at(-1);
      if (
        name === 'a'
          ? !/^ href="https?:\/\/[^"]*"$/.test(attrs ?? '')
          : name === 'code'
            ? attrs !== '' && !(parent === 'pre' && /^ class="language-[\w#+.-]+"$/.test(attrs ?? ''))
            : attrs !== ''
      ) {
        throw new Error(`attributes ${attrs} on <${name}> at ${at}`);
      }
      if (name === 'blockquote' && open.includes('blockquote')) throw new Error('nested blockquote');
      if (
        (name === 'pre' || name === 'a') &&
        open.some((t) => t !== 'blockquote' && t !== 'b' && t !== 'i' && t !== 's')
      ) {
        throw new Error(`<${name}> inside ${open.join('>')}`);
      }
      if (open.includes('pre') && !(name === 'code' && parent === 'pre'))
        throw new Error(`<${name}> in <pre>`);
      if (open.includes('code')) throw new Error(`<${name}> in <code>`);
      open.push(name);
    } else if (token.startsWith('&')) {
      if (!entity) throw new Error(`bare & at ${at}`);
      visible += ENTITIES[entity];
    } else if (token === '<' || token === '>') {
      throw new Error(`raw ${token} at ${at}`);
    } else {
      visible += token;
    }
  }
  if (open.length > 0) throw new Error(`unclosed ${open.join(', ')}`);
  return visible;
}

/** Code fences (```) come in pairs. */
function fencesBalanced(chunk: string): boolean {
  return (chunk.match(/```/g) ?? []).length % 2 === 0;
}

/** Slack: `<` only starts a link, `&` only an entity: no `<!channel>`, no `<@U…>`. */
function slackVisible(chunk: string): string {
  expect(chunk).not.toMatch(/<(?!(?:https?:\/\/|mailto:)[^<>|\s]*\|[^<>]*>)/);
  expect(chunk).not.toMatch(/&(?!(?:amp|lt|gt);)/);
  return chunk
    .replace(/<[^|>]*\|([^>]*)>/g, '$1')
    .replace(/>/g, '')
    .replace(/&(amp|lt|gt);/g, (_, e: string) => ENTITIES[e] as string);
}

/**
 * Discord: reads escapes, code spans and blocks, and link targets; checks that outside code (where
 * Discord resolves no mention) nothing can ping. Returns the text shown, markup characters still in.
 */
function discordVisible(chunk: string): string {
  let shown = '';
  let outsideCode = '';
  for (let i = 0; i < chunk.length; ) {
    if (chunk[i] === '\\') {
      shown += chunk[i + 1] ?? '';
      outsideCode += ' ';
      i += 2;
    } else if (chunk[i] === '`') {
      const fence = /^`+/.exec(chunk.slice(i))?.[0] as string;
      const end = chunk.indexOf(fence, i + fence.length);
      expect(end, `unclosed ${fence} in ${chunk}`).toBeGreaterThan(i);
      const body = chunk.slice(i + fence.length, end);
      shown += ` ${fence.length >= 3 ? body.replace(/^[\w#+.-]*\n/, '') : body} `;
      i = end + fence.length;
    } else if (chunk.startsWith('](<', i) && chunk.includes('>)', i)) {
      i = chunk.indexOf('>)', i) + 2;
    } else {
      shown += chunk[i];
      outsideCode += chunk[i++];
    }
  }
  expect(outsideCode).not.toMatch(/@(?:everyone|here)|<@(?!\u200b)/i);
  return shown;
}

/** The visible text with whitespace and the given markup characters removed. */
const squeeze = (text: string, drop: RegExp) => text.replace(/\s|\u200b/g, '').replace(drop, '');

const fragment = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom('word', 'Hello', 'snake_case', 'x', 'ok.', 'ünï', '42', '(a)', "it's", '"q"'),
  },
  { weight: 2, arbitrary: fc.constantFrom('😀', '👨‍👩‍👧', '🇫🇷', 'שלום', 'مرحبا', 'é') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '<',
      '>',
      '&',
      '&amp;',
      '<script>',
      'a < b && c > d',
      '<!channel>',
      '<@U123>',
      '@everyone',
      '@here',
      '<@&42>',
    ),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '*',
      '**',
      '_',
      '__',
      '~~',
      '~',
      '`',
      '``',
      '\\',
      '[',
      ']',
      '](https://x.y/a_(b)?c=1&d=2)',
      '](',
      ')',
      '|',
      '#',
      '1.',
      '-',
    ),
  },
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      ' ',
      ' ',
      ' ',
      '\n',
      '\n\n',
      '\n- ',
      '\n  - ',
      '\n1. ',
      '\n> ',
      '\n# ',
      '\n### ',
      '\n---\n',
      '\n    ',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '\n```\n',
      '\n```js\n',
      '\n~~~\n',
      'https://example.com/a_b?x=1&y=2',
      '<https://a.b>',
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('x', 'word ', 'a&b ', '**b** ', '😀', 'line\n', '\n\n', '`c` ', '<'),
        fc.integer({ min: 20, max: 700 }),
      )
      .map(([s, n]) => s.repeat(n)),
  },
);

// 'medium': a few thousand characters on average, so most inputs are split even at the platform limits.
const markdownish = fc.array(fragment, { maxLength: 200, size: 'medium' }).map((parts) => parts.join(''));

interface Platform {
  name: string;
  render: (markdown: string, limit?: number) => string[];
  limit: number;
  /** The chunk's valid markup, and its visible text (for comparison after `drop`). */
  check: (chunk: string) => string;
  drop: RegExp;
  /** Maps the plain rendering to what this platform shows (before `drop`). */
  plain?: (text: string) => string;
}

const platforms: Platform[] = [
  {
    name: 'telegram',
    render: renderTelegram,
    limit: TELEGRAM_MAX_MESSAGE,
    check: telegramVisible,
    drop: /(?:)/g,
  },
  {
    name: 'slack',
    render: renderSlack,
    limit: SLACK_MAX_MESSAGE,
    check: (chunk) => {
      expect(fencesBalanced(chunk)).toBe(true);
      return slackVisible(chunk);
    },
    drop: /[*_~`]/g,
  },
  {
    name: 'discord',
    render: renderDiscord,
    limit: DISCORD_MAX_MESSAGE,
    check: (chunk) => {
      expect(fencesBalanced(chunk)).toBe(true);
      return discordVisible(chunk);
    },
    drop: /[*_~`|[\]\\#>•-]/g,
  },
];

function expectRoundTrip(p: Platform, markdown: string, limit: number): void {
  const chunks = p.render(markdown, limit);
  let shown = '';
  for (const chunk of chunks) {
    expect(chunk.length).toBeLessThanOrEqual(limit);
    const visible = p.check(chunk);
    expect(visible.replace(/\u200b/g, '').trim()).not.toBe('');
    shown += `${visible}\n`;
  }
  const blocks = parseMarkdown(markdown);
  const plain = toPlainText(blocks);
  if (plain.trim() === '') return; // nothing visible: the source is shown as text instead
  // A table shows as a grid (`│`, `─┼─`) or as "header: value" lines, which repeat the headers:
  // test/unit/markdown-spec.test.ts compares those.
  if (JSON.stringify(blocks).includes('"type":"table"')) return;
  expect(squeeze(shown, p.drop)).toBe(squeeze(plain, p.drop));
}

describe.each(platforms)('$name rendering', (p) => {
  it('keeps chunks within the limit, valid, non-blank and faithful at the platform limit', () => {
    fc.assert(
      fc.property(markdownish, (markdown) => expectRoundTrip(p, markdown, p.limit)),
      { numRuns: 200 },
    );
  });

  it('does the same at small limits, where most inputs are split', () => {
    fc.assert(
      fc.property(markdownish, fc.integer({ min: 200, max: 700 }), (markdown, limit) =>
        expectRoundTrip(p, markdown, limit),
      ),
      { numRuns: 300 },
    );
  });
});
