import { describe, expect, it } from 'vitest';
import { splitText } from '../../src/core/split.ts';

/** Each chunk is a slice of `text`, in order, and only whitespace is missing between them. */
function expectFaithful(text: string, chunks: string[], limit: number): void {
  let from = 0;
  for (const chunk of chunks) {
    expect(chunk.length).toBeLessThanOrEqual(limit);
    expect(chunk.trim()).not.toBe('');
    const at = text.indexOf(chunk, from);
    expect(at).toBeGreaterThanOrEqual(from);
    expect(text.slice(from, at).trim()).toBe('');
    from = at + chunk.length;
  }
  expect(text.slice(from).trim()).toBe('');
  expect(chunks.join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
}

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Mulberry32: a tiny seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('splitText', () => {
  it('returns a text that fits as one unchanged chunk', () => {
    const text = '  Hello,\n\nworld!  ';
    expect(splitText(text, text.length)).toEqual([text]);
    expect(splitText('ab', 2)).toEqual(['ab']);
  });

  it('returns nothing for an empty or blank text', () => {
    expect(splitText('', 10)).toEqual([]);
    expect(splitText(' \n\t \n ', 3)).toEqual([]);
    expect(splitText(' '.repeat(10_000), 100)).toEqual([]);
  });

  it('rejects a limit below 2', () => {
    expect(() => splitText('abc', 1)).toThrow(RangeError);
    expect(() => splitText('abc', 0)).toThrow(RangeError);
    expect(() => splitText('abc', Number.NaN)).toThrow(RangeError);
  });

  it('cuts at the last paragraph break within the limit', () => {
    const text = 'First para.\n\nSecond para\nstill second.\n\nThird one is longer than the rest of them.';
    // The limit reaches past the second blank line but not to the end of the text.
    const limit = text.indexOf('Third') + 5;
    const chunks = splitText(text, limit);
    expect(chunks).toEqual([
      'First para.\n\nSecond para\nstill second.',
      'Third one is longer than the rest of them.',
    ]);
  });

  it('treats a line holding only blanks as a paragraph break', () => {
    const text = 'one two\nthree\n  \t\nfour five six';
    expect(splitText(text, 20)).toEqual(['one two\nthree', 'four five six']);
  });

  it('prefers a paragraph break over later line breaks and spaces', () => {
    const text = 'Intro.\n\nline one\nline two, more';
    expect(splitText(text, 30)).toEqual(['Intro.', 'line one\nline two, more']);
  });

  it('cuts at the last line break when no paragraph break fits', () => {
    const text = 'alpha beta\ngamma delta\nepsilon zeta eta theta';
    expect(splitText(text, 30)).toEqual(['alpha beta\ngamma delta', 'epsilon zeta eta theta']);
  });

  it('cuts at the last space when no line break fits', () => {
    const text = 'the quick brown fox jumps over the lazy dog';
    const chunks = splitText(text, 16);
    expect(chunks).toEqual(['the quick brown', 'fox jumps over', 'the lazy dog']);
  });

  it('uses a space exactly at the limit', () => {
    expect(splitText('abcd efgh', 4)).toEqual(['abcd', 'efgh']);
  });

  it('hard-cuts a word longer than the limit into full chunks', () => {
    const word = 'x'.repeat(10_000);
    const chunks = splitText(word, 4096);
    expect(chunks.map((c) => c.length)).toEqual([4096, 4096, 1808]);
    expect(chunks.join('')).toBe(word);
  });

  it('hard-cuts only the long word, not the words around it', () => {
    const text = `short ${'y'.repeat(25)} tail`;
    expect(splitText(text, 10)).toEqual(['short', 'yyyyyyyyyy', 'yyyyyyyyyy', 'yyyyy tail']);
  });

  it('never splits a surrogate pair', () => {
    const text = '😀🎉👍🏽🚀'.repeat(300);
    for (const limit of [3, 5, 7, 9, 11, 101]) {
      const chunks = splitText(text, limit);
      expect(chunks.join('')).toBe(text);
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(limit);
        expect(isLow(chunk.charCodeAt(0))).toBe(false);
        expect(isHigh(chunk.charCodeAt(chunk.length - 1))).toBe(false);
      }
    }
  });

  it('keeps flags and ZWJ sequences whole when they fit', () => {
    const flags = '🇫🇷🇩🇪🇯🇵'.repeat(20); // each flag: two regional indicators, 4 code units
    const flagChunks = splitText(flags, 10);
    expect(flagChunks.join('')).toBe(flags);
    for (const chunk of flagChunks) expect(chunk.length % 4).toBe(0);

    const family = '👨‍👩‍👧'; // 8 code units joined by ZWJ
    const families = splitText(family.repeat(10), 17);
    expect(families.join('')).toBe(family.repeat(10));
    for (const chunk of families) expect(chunk).toBe(family.repeat(2));
  });

  it('splits right-to-left text at word boundaries in logical order', () => {
    const hebrew = 'שלום עולם זהו טקסט ארוך בעברית שצריך לפצל';
    const chunks = splitText(hebrew, 12);
    expectFaithful(hebrew, chunks, 12);
    expect(chunks[0]).toBe('שלום עולם');
    expect(chunks.join(' ')).toBe(hebrew);
    const arabic = 'مرحبا بالعالم\n\nهذه فقرة ثانية';
    expect(splitText(arabic, 16)).toEqual(['مرحبا بالعالم', 'هذه فقرة ثانية']);
  });

  it('drops blanks around the whole text once it must be split', () => {
    expect(splitText('   aaa bbb   ', 5)).toEqual(['aaa', 'bbb']);
  });

  it('keeps every chunk within the limit for a 1 MB text', () => {
    const paragraph = `${'Lorem ipsum dolor sit amet, 😀 consectetur adipiscing elit.\n'.repeat(12)}\n`;
    const text = paragraph.repeat(Math.ceil(1_000_000 / paragraph.length));
    const chunks = splitText(text, 4096);
    expect(text.length).toBeGreaterThan(1_000_000);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(4096);
    // Greedy at paragraph breaks: every chunk but the last is close to full.
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThan(4096 - paragraph.length);
    expect(chunks.join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
  });

  it('keeps content whole and in order for random texts and limits', () => {
    const alphabet = ['a', 'b', 'c', 'x', 'y', 'z', ' ', ' ', ' ', '\n', '\n\n', '😀', '🇫🇷', 'é', '\t'];
    const random = prng(20_240_917);
    for (let round = 0; round < 300; round++) {
      const length = Math.floor(random() * 600);
      const parts: string[] = [];
      for (let i = 0; i < length; i++) {
        const pick =
          random() < 0.02
            ? 'w'.repeat(Math.floor(random() * 300))
            : alphabet[Math.floor(random() * alphabet.length)];
        parts.push(pick ?? '');
      }
      const text = parts.join('');
      const limit = 2 + Math.floor(random() * 199);
      const chunks = splitText(text, limit);
      if (text.trim() === '') expect(chunks).toEqual([]);
      else if (text.length <= limit) expect(chunks).toEqual([text]);
      expectFaithful(text, chunks, limit);
      for (const chunk of chunks) {
        expect(isLow(chunk.charCodeAt(0))).toBe(false);
        expect(isHigh(chunk.charCodeAt(chunk.length - 1))).toBe(false);
      }
    }
  });
});
