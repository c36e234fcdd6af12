/**
 * One line about a failure, for an error message or a log field: the SDK's own errors as the adapter
 * words them, then what every platform shares (a call that got no answer in time, a network error by
 * its code, else the error's message). Never a URL: some carry a token.
 */

/** How an adapter words its SDK's errors; undefined for any other error. */
export type DescribeKnown = (err: unknown) => string | undefined;

/** `known`'s words for `err`, else the shared ones. */
export function describeFailure(err: unknown, known: DescribeKnown): string {
  const words = known(err);
  if (words !== undefined) return words;
  if (err instanceof Error) {
    if (err.name === 'AbortError' || err.name === 'TimeoutError') return 'no answer in time';
    const { code, cause } = err as { code?: unknown; cause?: { code?: unknown } };
    const network = typeof code === 'string' ? code : cause?.code;
    return typeof network === 'string' ? `network error (${network})` : err.message;
  }
  return String(err);
}
