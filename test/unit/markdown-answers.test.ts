/**
 * The corpus of realistic agent answers: each platform receives exactly the reviewed rendering, valid
 * for it; and a table is never cut inside a row, whichever form it takes.
 */
import { describe, expect, it } from 'vitest';
import { renderTelegram } from '../../adapters/telegram/format.ts';
import { ANSWERS } from '../markdown/answers.ts';
import { platforms, squeeze } from '../markdown/platforms.ts';
import { referenceVisible } from '../markdown/reference.ts';

describe.each(platforms)('realistic answers on $name', (p) => {
  const name = p.name as 'telegram' | 'slack' | 'discord';
  it.each(ANSWERS)('$name', (answer) => {
    const chunks = p.render(answer.markdown);
    expect(chunks).toEqual(answer[name]);
    for (const chunk of chunks) p.check(chunk);
  });
});

describe.each(platforms)('realistic answers as the reference on $name', (p) => {
  it("show the visible text of markdown-it's HTML, but where the bridge means to differ", () => {
    const differ = ANSWERS.filter((a) => {
      const expected = squeeze(referenceVisible(a.markdown), p.drop).replace(/[•│─┼]/g, '');
      return (
        squeeze(p.render(a.markdown).map(p.check).join('\n'), p.drop).replace(/[•│─┼]/g, '') !== expected
      );
    });
    // A wide table repeats its headers on every row; 2*3*4 and task boxes are the bridge's own.
    expect(differ.map((a) => a.name)).toEqual(
      p.name === 'telegram'
        ? ['a table too wide for a phone', 'snake_case and arithmetic with asterisks', 'a task list']
        : ['a table too wide for a phone', 'a task list'],
    );
  });
});

describe('tables when split', () => {
  const rows = Array.from({ length: 40 }, (_, i) => `| item ${i} | ${i * 7} | ok |`);
  const narrow = `| Item | Qty | State |\n|---|--:|---|\n${rows.join('\n')}`;
  const wide = `| Item | Description | State |\n|---|---|---|\n${Array.from(
    { length: 40 },
    (_, i) => `| item ${i} | a description long enough to be wider than any phone | ok |`,
  ).join('\n')}`;

  it.each(platforms)('never cuts a grid row on $name', (p) => {
    const chunks = p.render(narrow, 200);
    expect(chunks.length).toBeGreaterThan(3);
    const lines = chunks.flatMap((c) => p.check(c).split('\n'));
    for (let i = 0; i < 40; i++) {
      expect(lines.filter((l) => new RegExp(`^item ${i} +│ +${i * 7} │ ok$`).test(l.trim()))).toHaveLength(1);
    }
  });

  it.each(platforms)('never cuts a "header: value" row on $name', (p) => {
    const chunks = p.render(wide, 300);
    expect(chunks.length).toBeGreaterThan(3);
    for (let i = 0; i < 40; i++) {
      const holding = chunks.filter((c) => p.check(c).includes(`item ${i}\n`));
      expect(holding, `row ${i}`).toHaveLength(1);
      expect(p.check(holding[0] as string)).toMatch(
        new RegExp(`item ${i}\\n.*Description.*: a description[^\\n]*\\n.*State.*: ok`),
      );
    }
  });

  it('writes a grid when it fits, and "header: value" lines when the message is narrow', () => {
    expect(renderTelegram('| a | b |\n|---|---|\n| 1 | 2 |')).toEqual(['<pre>a │ b\n──┼──\n1 │ 2</pre>']);
    expect(renderTelegram('| Name | Role |\n|---|---|\n| Ana Lim | Lead engineer |', 40)).toEqual([
      '<b>Name</b>: Ana Lim',
      '<b>Role</b>: Lead engineer',
    ]);
  });
});
