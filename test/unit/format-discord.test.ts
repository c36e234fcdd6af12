import { describe, expect, it } from 'vitest';
import { DISCORD_MAX_MESSAGE, renderDiscord } from '../../adapters/discord/format.ts';

const ZWSP = '\u200b';

const one = (markdown: string): string => {
  const chunks = renderDiscord(markdown);
  expect(chunks).toHaveLength(1);
  return chunks[0] as string;
};

describe('renderDiscord', () => {
  it('writes Markdown in the syntax Discord renders', () => {
    expect(one('**b** *i* _i_ __b__ ~~s~~ `c`')).toBe('**b** *i* *i* **b** ~~s~~ `c`');
    expect(one('**bold _italic_**')).toBe('**bold *italic***');
    expect(one('# One\n\n### Three\n\n#### Four')).toBe('# One\n\n### Three\n\n**Four**');
    expect(one('> quoted **b**\n> more')).toBe('> quoted **b**\n> more');
    expect(one('- a\n  - b\n1. c')).toBe('- a\n  - b\n\n1. c');
  });

  it('defuses @everyone, @here and raw user and role mentions', () => {
    expect(one('@everyone look, @here too, @Everyone')).toBe(
      `@${ZWSP}everyone look, @${ZWSP}here too, @${ZWSP}Everyone`,
    );
    expect(one('hi <@123> and <@!456> and <@&789>')).toBe(
      `hi <@${ZWSP}123> and <@${ZWSP}!456> and <@${ZWSP}&789>`,
    );
    expect(one('**@everyone** [@here](https://x.y)')).toBe(
      `**@${ZWSP}everyone** [@${ZWSP}here](<https://x.y>)`,
    );
  });

  it('keeps code exactly as written', () => {
    expect(one('`@everyone *x*`\n\n```py\nprint("<@1> **x** @here")\n```')).toBe(
      '`@everyone *x*`\n\n```py\nprint("<@1> **x** @here")\n```',
    );
    expect(one('`` a`b ``')).toBe('`` a`b ``');
  });

  it('escapes stray markers, so they show as themselves', () => {
    expect(one('a **b and _c and `d and ~~e | [f]')).toBe(
      'a \\*\\*b and \\_c and \\`d and \\~\\~e \\| \\[f\\]',
    );
    expect(one('snake_case and 2*3')).toBe('snake\\_case and 2\\*3');
    expect(one('\\# not a heading\n\\> not a quote\n\\- not a list\n1\\. not a list')).toBe(
      '\\# not a heading\n\\> not a quote\n\\- not a list\n1\\. not a list',
    );
  });

  it('leaves <, > and & alone, and writes links with angle brackets', () => {
    expect(one('<script>alert(1)</script> a < b && c > d')).toBe('<script>alert(1)</script> a < b && c > d');
    expect(one('[w](https://en.wikipedia.org/wiki/A_(b)?x=1&y=2)')).toBe(
      '[w](<https://en.wikipedia.org/wiki/A_(b)?x=1&y=2>)',
    );
    expect(one('see https://x.y/a_b_c')).toBe('see https://x.y/a_b_c');
  });

  it('links long, www. and e-mail addresses as Discord reads them', () => {
    const signed = `https://b.s3.amazonaws.com/r_1.pdf?X-Amz-Signature=${'f'.repeat(400)}&X-Amz-Date=1`;
    expect(one(`Get it: ${signed}`)).toBe(`Get it: ${signed}`);
    expect(one('See www.example.co.id or write <ops@example.com>.')).toBe(
      'See [www.example.co.id](<http://www.example.co.id>) or write ops@example.com.',
    );
  });

  it('keeps a code block inside a list item at the margin, and 2*3*4 literal', () => {
    expect(one('- Run:\n\n  ```sh\n  npm test\n  ```\n- Area: 2*3*4 = 24')).toBe(
      '- Run:\n  ```sh\nnpm test\n```\n- Area: 2\\*3\\*4 = 24',
    );
  });

  it('writes a table as an aligned grid in a code block', () => {
    expect(one('| Kota | Suhu |\n|---|--:|\n| Jakarta | 31°C |\n| Bandung | 24°C |')).toBe(
      '```\nKota    │ Suhu\n────────┼─────\nJakarta │ 31°C\nBandung │ 24°C\n```',
    );
  });

  it('passes emoji and right-to-left text through', () => {
    const md = 'Hi 👨‍👩‍👧 🇫🇷 — שלום עולם — مرحبا بالعالم';
    expect(one(md)).toBe(md);
  });

  it('splits a long code block into closed blocks that reopen with their language', () => {
    const code = Array.from({ length: 600 }, (_, i) => `    print(${i}) # @everyone`).join('\n');
    expect(code.length).toBeGreaterThan(10_000);
    const chunks = renderDiscord(`\`\`\`python\n${code}\n\`\`\``);
    expect(chunks.length).toBeGreaterThanOrEqual(6);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(DISCORD_MAX_MESSAGE);
      expect(chunk).toMatch(/^```python\n {4}print\(\d+\)[\s\S]*\n```$/);
      expect(chunk.match(/```/g)).toHaveLength(2);
    }
    const body = chunks.map((c) => c.slice('```python\n'.length, -'\n```'.length));
    expect(body.join('\n')).toBe(code);
  });

  it('breaks up backtick runs inside a code block, so they cannot end it', () => {
    expect(one('```\nfence: ```\n```')).toBe(`\`\`\`\nfence: \`${ZWSP}\`${ZWSP}\`\n\`\`\``);
  });
});
