/** Which links a reply may carry, on every platform. */

const SAFE_LINK = /^(?:https?:\/\/|mailto:)/i;

/** Longest link address written as a link; a longer one is shown as its text. */
export const MAX_HREF = 2000;

/**
 * Whether a reply may link to `href`: `http`, `https` and `mailto` only, on every platform. Anything
 * else (`tg://user?id=…` pings a user, `tg://join?…` lures into a group, `javascript:`, relative
 * paths) is shown as its text.
 */
export function isSafeLink(href: string): boolean {
  return SAFE_LINK.test(href);
}
