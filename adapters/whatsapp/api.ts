/**
 * The few Graph API calls the WhatsApp adapter makes, on Node's fetch: send a text message (at most
 * 4,096 characters, optionally quoting a message), mark a message read with a typing indicator, and
 * read the business phone number ("who am I"). Every call has a timeout and follows the caller's
 * `AbortSignal`. A refusal becomes a `GraphError` carrying Meta's error code and the HTTP status; no
 * answer (network, timeout) a `GraphUnreachable`. Neither ever holds the access token.
 */

/** Default timeout of one Graph API call, ms. */
export const GRAPH_TIMEOUT_MS = 10_000;

export interface GraphClientOptions {
  /** Scheme and host, no trailing slash (`https://graph.facebook.com`). */
  apiRoot: string;
  /** Graph API version in the path (`v23.0`). */
  version: string;
  /** The business phone number's id. */
  phoneNumberId: string;
  /** A System User access token. Secret. */
  accessToken: string;
  /** How long one call may take before it fails as unreachable, ms. Default 10 000. */
  timeoutMs?: number;
  /** The fetch to call with. Default: the global fetch. */
  fetch?: typeof fetch;
}

/** The business phone number as `GET /{phone-number-id}` describes it. */
export interface PhoneNumberInfo {
  /** The phone number id. */
  id: string;
  /** The number as WhatsApp shows it (`+62 812-…`). */
  displayPhoneNumber: string;
  /** The business name Meta verified. */
  verifiedName: string;
  /** Meta's quality rating (`GREEN`, `YELLOW`, `RED`), when given. */
  qualityRating?: string;
}

/** The Graph API answered with an error. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  constructor(
    /** The HTTP status. */
    readonly status: number,
    /** Meta's `error.code` (131047, 190, …); undefined when the answer carried none. */
    readonly code: number | undefined,
    /** `error.message` (a title such as `(#131047) Re-engagement message`), or the status line. */
    readonly title: string,
    /** `error.error_data.details`, when given. */
    readonly details: string,
    /** The `Retry-After` header, ms, when the answer had one. */
    readonly retryAfterMs?: number,
  ) {
    super(`Graph API ${status}${code === undefined ? '' : ` code ${code}`}: ${title}`);
  }
}

/** The Graph API could not be reached, or did not answer in time. */
export class GraphUnreachable extends Error {
  override readonly name = 'GraphUnreachable';
  constructor(
    /** True when the call timed out (rather than failed to connect). */
    readonly timedOut: boolean,
    reason: string,
  ) {
    super(timedOut ? 'no answer in time' : `network error (${reason})`);
  }
}

/** A Graph API client for one business phone number. */
export class GraphClient {
  readonly #o: GraphClientOptions;
  readonly #fetch: typeof fetch;
  readonly #base: string;

  constructor(options: GraphClientOptions) {
    this.#o = options;
    this.#fetch = options.fetch ?? fetch;
    this.#base = `${options.apiRoot.replace(/\/+$/, '')}/${options.version}/${options.phoneNumberId}`;
  }

  /** Sends `body` as a text message to `to` (a WhatsApp id); resolves with the new message's `wamid`. */
  async sendText(
    to: string,
    body: string,
    options: { replyTo?: string; signal?: AbortSignal } = {},
  ): Promise<string> {
    const answer = await this.#call('POST', '/messages', options.signal, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      type: 'text',
      text: { body, preview_url: false },
      ...(options.replyTo && { context: { message_id: options.replyTo } }),
    });
    const id = (answer.messages as Array<{ id?: unknown }> | undefined)?.[0]?.id;
    return typeof id === 'string' ? id : '';
  }

  /** Marks `messageId` (and the chat's earlier messages) read, showing a typing indicator when `typing`. */
  async markRead(messageId: string, options: { typing: boolean; signal?: AbortSignal }): Promise<void> {
    await this.#call('POST', '/messages', options.signal, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: messageId,
      ...(options.typing && { typing_indicator: { type: 'text' } }),
    });
  }

  /** The business phone number this client sends from. */
  async whoAmI(signal?: AbortSignal): Promise<PhoneNumberInfo> {
    const a = await this.#call('GET', '?fields=id,display_phone_number,verified_name,quality_rating', signal);
    return {
      id: typeof a.id === 'string' ? a.id : this.#o.phoneNumberId,
      displayPhoneNumber: typeof a.display_phone_number === 'string' ? a.display_phone_number : '',
      verifiedName: typeof a.verified_name === 'string' ? a.verified_name : '',
      ...(typeof a.quality_rating === 'string' && { qualityRating: a.quality_rating }),
    };
  }

  async #call(
    method: 'GET' | 'POST',
    path: string,
    signal: AbortSignal | undefined,
    body?: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const timeout = AbortSignal.timeout(this.#o.timeoutMs ?? GRAPH_TIMEOUT_MS);
    const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const res = await this.#fetch(`${this.#base}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${this.#o.accessToken}`,
          ...(body && { 'Content-Type': 'application/json' }),
        },
        ...(body && { body: JSON.stringify(body) }),
        signal: combined,
      });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      text = await res.text();
    } catch (err) {
      throw new GraphUnreachable(timeout.aborted, err instanceof Error ? err.message : String(err));
    }
    const parsed = parseObject(text);
    if (status >= 200 && status < 300 && parsed) return parsed;
    const error = parsed?.error as Record<string, unknown> | undefined;
    const code = typeof error?.code === 'number' ? error.code : undefined;
    const details = (error?.error_data as { details?: unknown } | undefined)?.details;
    const seconds = Number(retryAfter ?? Number.NaN);
    throw new GraphError(
      status,
      code,
      typeof error?.message === 'string'
        ? error.message
        : `HTTP ${status}${parsed ? '' : ' without a JSON answer'}`,
      typeof details === 'string' ? details : '',
      Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined,
    );
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
