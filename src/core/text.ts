/** Small pure text helpers shared by the adapters' normalizers. */

function isBlank(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

/**
 * Removes every match of `pattern` (a global RegExp) with the blanks around it, keeping one space
 * between the words it separated and every line break; the result is trimmed. Used to take the
 * bot's mention out of a message before the agent reads it.
 */
export function removeTokens(text: string, pattern: RegExp): string {
  const pieces: string[] = [];
  let kept = 0;
  let removed = false;
  const keep = (piece: string): void => {
    if (piece === '') return;
    const last = pieces.at(-1)?.at(-1);
    if (removed && last !== undefined && last !== '\n' && piece[0] !== '\n') pieces.push(' ');
    pieces.push(piece);
    removed = false;
  };
  for (const match of text.matchAll(pattern)) {
    let start = match.index;
    let end = start + match[0].length;
    while (start > kept && isBlank(text[start - 1])) start--;
    while (isBlank(text[end])) end++;
    keep(text.slice(kept, start));
    removed = true;
    kept = end;
  }
  keep(text.slice(kept));
  return pieces.join('').trim();
}
