/**
 * The terminal's rendering of agent Markdown: readable plain text for a pipe, ANSI styles for a
 * terminal, and never a control sequence from the agent's own text.
 */
import { describe, expect, it } from 'vitest';
import { labelled, renderTerminal } from '../../adapters/terminal/format.ts';

const plain = (markdown: string) => renderTerminal(markdown, { styled: false }).join('\n');
const styled = (markdown: string) => renderTerminal(markdown, { styled: true }).join('\n');

describe('renderTerminal', () => {
  it('writes plain text without markup for a pipe or a file', () => {
    expect(plain('**b** *i* ~~s~~ `c`')).toBe('b i s c');
    expect(plain('# Title\n\ntext')).toBe('Title\n\ntext');
    expect(plain('- a\n  - b\n1. c')).toBe('• a\n  • b\n\n1. c');
    expect(plain('> quoted\n> more')).toBe('> quoted\n> more');
    expect(plain('```js\nconst x = 1;\n```')).toBe('    const x = 1;');
    expect(plain('[guide](https://example.com/g) and https://example.com/bare')).toBe(
      'guide (https://example.com/g) and https://example.com/bare',
    );
    expect(plain('[click](javascript:alert(1))')).toBe('click');
  });

  it('styles with ANSI for a terminal', () => {
    expect(styled('**b** *i* ~~s~~ `c`')).toBe(
      '\x1b[1mb\x1b[22m \x1b[3mi\x1b[23m \x1b[9ms\x1b[29m \x1b[36mc\x1b[39m',
    );
    expect(styled('# Title')).toBe('\x1b[1;4mTitle\x1b[22;24m');
    expect(styled('[guide](https://example.com/g)')).toBe('\x1b[4mguide\x1b[24m (https://example.com/g)');
    expect(styled('> a\n> b')).toBe('\x1b[90m│\x1b[39m a\n\x1b[90m│\x1b[39m b');
    expect(styled('- a\n- b')).toBe('• a\n• b');
  });

  it("removes the control characters of the agent's text, styled or not", () => {
    const hostile = 'safe\x1b]0;pwned\x07 \x1b[2Jtext\x9b31m `co\x1bde` \x08end';
    for (const out of [plain(hostile), styled(hostile)]) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is parsed
      expect(out.replace(/\x1b\[[0-9;]*m/g, '')).toBe('safe]0;pwned [2Jtext31m code end');
    }
    // The address is percent-encoded as markdown-it normalizes it.
    expect(plain('[x](https://example.com/\x1b[2J)')).toBe('x (https://example.com/%5B2J)');
  });

  it('indents the further lines of an answer under its label, not the blank ones', () => {
    expect(labelled('agent> ', 'one\n\ntwo\nthree')).toBe('agent> one\n\n       two\n       three');
  });
});
