/**
 * The `statuses[]` of a webhook's `value`: what became of each message the business sent (`sent`,
 * `delivered`, `read`, `failed`). A send the Graph API accepted can still fail; that is only seen
 * here, as a `failed` status with `errors[]`. Pure, and never throws.
 */
import type { PlatformErrorKind } from '../../src/core/errors.ts';
import { record } from '../shared/guards.ts';
import { codeKind } from './errors.ts';

/** A sent message that WhatsApp reports it could not deliver. */
export interface DeliveryFailure {
  /** The thread it was sent in: `whatsapp:<phone_number_id>:<recipient wa_id>`. */
  thread: string;
  /** The recipient's WhatsApp id. */
  recipient: string;
  /** The failed message's `wamid`. */
  messageId: string;
  /** Meta's error code (131047 outside the 24-hour window, …); undefined when none was given. */
  code: number | undefined;
  /** Meta's title of the error, for the log. */
  title: string;
  /** What the core makes of it, as for a refused send. */
  kind: PlatformErrorKind;
}

/** The `failed` statuses of one change's `value`, for the business number it names. */
export function deliveryFailures(value: unknown): DeliveryFailure[] {
  try {
    const v = record(value);
    const phoneNumberId = record(v?.metadata)?.phone_number_id;
    if (typeof phoneNumberId !== 'string' || !Array.isArray(v?.statuses)) return [];
    const out: DeliveryFailure[] = [];
    for (const raw of v.statuses) {
      const s = record(raw);
      if (s?.status !== 'failed' || typeof s.id !== 'string' || typeof s.recipient_id !== 'string') continue;
      const error = record(Array.isArray(s.errors) ? s.errors[0] : undefined);
      const code = typeof error?.code === 'number' ? error.code : undefined;
      const details = record(error?.error_data)?.details;
      out.push({
        thread: `whatsapp:${phoneNumberId}:${s.recipient_id}`,
        recipient: s.recipient_id,
        messageId: s.id,
        code,
        title: typeof error?.title === 'string' ? error.title : 'failed',
        // An accepted send that failed later is not retried by anyone: unknown codes count as refused.
        kind: code === undefined ? 'rejected' : codeKind(code, 0, typeof details === 'string' ? details : ''),
      });
    }
    return out;
  } catch {
    return [];
  }
}
