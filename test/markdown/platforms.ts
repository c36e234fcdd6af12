/**
 * What each platform would make of a rendered message: its markup checked as the platform's parser
 * would (more strictly), and the text a reader sees. Shared by the property tests and the corpora.
 */
import { expect } from 'vitest';
import { DISCORD_MAX_MESSAGE, renderDiscord } from '../../adapters/discord/format.ts';
import { renderSlack, SLACK_MAX_MESSAGE } from '../../adapters/slack/format.ts';
import { renderTelegram, TELEGRAM_MAX_MESSAGE } from '../../adapters/telegram/format.ts';

const TAGS = new Set(['b', 'i', 's', 'code', 'pre', 'a', 'blockquote']);
const TOKEN = /<(\/?)([a-z]+)((?: [a-z]+="[^"<>]*")*)>|&(?:(amp|lt|gt|quot);)?|[<>]|[^<>&]+/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

/**
 * Checks one message as Telegram's HTML parser would, more strictly: only the tags the renderer may
 * write, attributes only where allowed, properly nested, no `pre`/`code`/`a`/`blockquote` where
 * Telegram forbids them, every `&` an entity, no raw `<` or `>`. Returns the visible text.
 */
export function telegramVisible(html: string): string {
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
          ? !/^ href="(?:https?:\/\/|mailto:)[^"]*"$/.test(attrs ?? '')
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
export function fencesBalanced(chunk: string): boolean {
  return (chunk.match(/```/g) ?? []).length % 2 === 0;
}

/** Slack: `<` only starts a link, `&` only an entity: no `<!channel>`, no `<@U…>`. */
export function slackVisible(chunk: string): string {
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
export function discordVisible(chunk: string): string {
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
export const squeeze = (text: string, drop: RegExp) => text.replace(/\s|\u200b/g, '').replace(drop, '');

export interface Platform {
  name: string;
  render: (markdown: string, limit?: number) => string[];
  limit: number;
  /** The chunk's valid markup, and its visible text (for comparison after `drop`). */
  check: (chunk: string) => string;
  /** Markup characters the visible text may still hold. */
  drop: RegExp;
}

export const platforms: Platform[] = [
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
