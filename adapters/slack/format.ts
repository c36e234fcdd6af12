import { splitText } from '../../src/core/split.ts';

/** Slack accepts up to 40,000 characters but truncates display around 4,000; stay well under. */
export const SLACK_MAX_MESSAGE = 3900;

/** Agent Markdown → Slack message texts within the limit. */
export function renderSlack(markdown: string): string[] {
  return splitText(markdown, SLACK_MAX_MESSAGE);
}
