/**
 * Agent Markdown reaches Telegram as HTML the Bot API accepts (the fake parses `parse_mode: HTML`
 * as Telegram does), and a message whose formatting Telegram refuses arrives as plain text instead
 * of being lost.
 */
import { describe, expect, it } from 'vitest';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();

const REPLY = [
  'Here is **the fix**:',
  '```js\nif (a < b && c > d) run();\n```',
  "Don't run <script>alert(1)</script>, and remember that a < b.",
].join('\n\n');

const HTML = [
  'Here is <b>the fix</b>:',
  '<pre><code class="language-js">if (a &lt; b &amp;&amp; c &gt; d) run();</code></pre>',
  "Don't run &lt;script&gt;alert(1)&lt;/script&gt;, and remember that a &lt; b.",
].join('\n\n');

const PLAIN = [
  'Here is the fix:',
  'if (a < b && c > d) run();',
  "Don't run <script>alert(1)</script>, and remember that a < b.",
].join('\n\n');

describe('Telegram formatting', () => {
  it('sends agent Markdown as HTML that Telegram accepts', async () => {
    fx.aksita.reply = () => [REPLY];
    await fx.start();
    fx.telegram.userMessage({ chatId: 61, text: 'how do I fix it?' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(61).length === 1, 10_000, 'the reply');
    expect(fx.telegram.sent[0]).toMatchObject({ chatId: '61', parseMode: 'HTML', text: HTML });
    expect(fx.telegram.sendAttempts.map((a) => a.status)).toEqual([200]);
  });

  it('re-sends a message as plain text, once, when Telegram cannot parse its entities', async () => {
    fx.aksita.reply = (message) => (message === 'next' ? ['echo: next'] : [REPLY]);
    fx.telegram.script({
      status: 400,
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 0',
    });
    const { logs } = await fx.start();
    fx.telegram.userMessage({ chatId: 62, text: 'how do I fix it?' });
    fx.telegram.userMessage({ chatId: 62, text: 'next' });
    // The thread's next reply comes after the first turn is over: nothing more of it can follow.
    await fx.telegram.waitFor(() => fx.telegram.sentTo(62).length >= 2, 10_000, 'both replies');
    expect(fx.telegram.sentTo(62)).toEqual([PLAIN, 'echo: next']);
    expect(fx.telegram.sent[0]?.parseMode).toBeUndefined();
    expect(fx.telegram.sendAttempts.map((a) => a.status)).toEqual([400, 200, 200]);
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['how do I fix it?', 'next']);
    expect(logs.find('telegram refused the formatting; sending as plain text')).toHaveLength(1);
  });

  it('does not re-send as plain text when Telegram refuses for another reason', async () => {
    fx.aksita.reply = (message) => (message === 'next' ? ['echo: next'] : [REPLY]);
    fx.telegram.script({ status: 400, description: 'Bad Request: message to be replied not found' });
    await fx.start();
    fx.telegram.userMessage({ chatId: 63, text: 'how do I fix it?' });
    fx.telegram.userMessage({ chatId: 63, text: 'next' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(63).length === 1, 10_000, 'the next reply');
    expect(fx.telegram.sentTo(63)).toEqual(['echo: next']);
    expect(fx.telegram.sendAttempts.map((a) => a.status)).toEqual([400, 200]);
  });
});
