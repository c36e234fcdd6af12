/**
 * The core's one way from Markdown (an agent's answer, a notice, a command's reply) to the messages a
 * platform posts: rendered in the dialect its adapter names and split within its length limit, both
 * read from the adapter's capabilities.
 */
import type { Capabilities } from './contract.ts';
import { renderChunks } from './markdown/index.ts';
import { splitText } from './split.ts';

/** `markdown` as the platform's messages, in order, each within its `maxMessageLength`. */
export function renderFor(
  platform: { readonly capabilities: Pick<Capabilities, 'format' | 'maxMessageLength'> },
  markdown: string,
): string[] {
  const { format, maxMessageLength } = platform.capabilities;
  return format === 'verbatim'
    ? splitText(markdown, maxMessageLength)
    : renderChunks(markdown, format, maxMessageLength);
}
