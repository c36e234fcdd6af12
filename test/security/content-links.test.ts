/**
 * Links in replies go only to `http`, `https` and `mailto`, on every platform; any other link the
 * agent writes (`tg://user?id=…` pings a user, `tg://join?…` lures into a group, `javascript:`,
 * `file:`, relative paths) is shown as its text, whichever Markdown form it takes.
 */
import { describe, expect, it } from 'vitest';
import { renderDiscord } from '../../adapters/discord/format.ts';
import { renderSlack } from '../../adapters/slack/format.ts';
import { renderTelegram } from '../../adapters/telegram/format.ts';
import { renderTerminal } from '../../adapters/terminal/format.ts';
import { isSafeLink } from '../../src/core/markdown/index.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const UNSAFE = [
  'tg://user?id=123456',
  'TG://join?invite=AbCdEf',
  'tg:resolve?domain=lure',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'slack://channel?team=T1&id=C1',
  'discord://-/channels/1/2',
  'data:text/html,hi',
  '/relative/path',
  '//evil.example/x',
];

const render = {
  telegram: (md: string) => renderTelegram(md).join('\n'),
  slack: (md: string) => renderSlack(md).join('\n'),
  discord: (md: string) => renderDiscord(md).join('\n'),
  terminal: (md: string) => renderTerminal(md, { styled: false }).join('\n'),
};

/** Every link target a rendered message carries, in the dialect's own syntax. */
const targets: Record<keyof typeof render, (out: string) => string[]> = {
  telegram: (out) => [...out.matchAll(/<a\s+href="([^"]*)"/gi)].map((m) => m[1] as string),
  slack: (out) => [...out.matchAll(/<([^|>]*)\|/g)].map((m) => m[1] as string),
  discord: (out) => [...out.matchAll(/\]\(<?([^)>]*)>?\)/g)].map((m) => m[1] as string),
  terminal: (out) => [...out.matchAll(/ \(([^)]*)\)$/gm)].map((m) => m[1] as string),
};

describe('links in replies', () => {
  it('allows http, https and mailto only', () => {
    for (const href of ['http://a.b', 'HTTPS://a.b/x', 'mailto:ana@example.com'])
      expect(isSafeLink(href)).toBe(true);
    for (const href of UNSAFE) expect(isSafeLink(href), href).toBe(false);
  });

  for (const platform of Object.keys(render) as Array<keyof typeof render>) {
    it(`writes any other link as its text on ${platform}`, () => {
      for (const href of UNSAFE) {
        for (const md of [
          `[Call me](${href})`,
          `[Call me](<${href}> "title")`,
          `<${href}>`,
          `**[x](${href})**`,
        ]) {
          const out = render[platform](md);
          expect(targets[platform](out), `${md} → ${out}`).toEqual([]);
        }
      }
      expect(render[platform]('[Call me](tg://user?id=1)')).toMatch(/Call me/);
    });

    it(`keeps web links on ${platform}`, () => {
      expect(targets[platform](render[platform]('[docs](https://a.b/c)'))).toEqual(['https://a.b/c']);
    });
  }

  it('writes the Telegram links of the finding as text', () => {
    expect(renderTelegram('Ask [my admin](tg://user?id=777) or [join us](tg://join?invite=AbC)')).toEqual([
      'Ask my admin or join us',
    ]);
    expect(renderTelegram('[mail](mailto:ana@example.com)')).toEqual([
      '<a href="mailto:ana@example.com">mail</a>',
    ]);
  });

  it('keeps raw link markup of the platform as text', () => {
    expect(renderSlack('<tg://user?id=1|x> <!channel> <@U1>')).toEqual([
      '&lt;tg://user?id=1|x&gt; &lt;!channel&gt; &lt;@U1&gt;',
    ]);
    expect(renderTelegram('<a href="tg://user?id=1">x</a>')).toEqual([
      '&lt;a href="tg://user?id=1"&gt;x&lt;/a&gt;',
    ]);
    expect(renderDiscord('\\[x\\](tg://user?id=1)')).toEqual(['\\[x\\](tg://user?id=1)']);
  });
});

describe('a tg:// link from the agent, through Telegram', () => {
  const fx = useBridgeFixture();

  it('arrives as text, not as a link or a mention', async () => {
    fx.aksita.reply = () => ['Write to [the owner](tg://user?id=777) or [see this](https://a.b)'];
    await fx.start();
    fx.telegram.userMessage({ chatId: 71, text: 'who runs this?' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(71).length === 1, 10_000, 'the reply');
    expect(fx.telegram.sent[0]).toMatchObject({
      parseMode: 'HTML',
      text: 'Write to the owner or <a href="https://a.b">see this</a>',
    });
  });
});
