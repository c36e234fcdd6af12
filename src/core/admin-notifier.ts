/**
 * Alerts for operators: written to the log, and sent as a direct message to every admin listed in
 * `ADMIN_USERS` on a platform that can deliver it.
 */
import type { Logger } from '../logger.ts';
import type { Platform } from './contract.ts';

/** One admin (`ADMIN_USERS`). */
export interface AdminUser {
  platform: Platform;
  /** The platform's user id. */
  id: string;
  /** Slack only: the workspace (`T…`) the admin is an admin in; absent: any workspace. */
  team?: string;
}

/** Sends `text` as a direct message to a user of a platform. */
export type DirectSender = (platform: Platform, userId: string, text: string) => Promise<void>;

export class AdminNotifier {
  readonly #admins: readonly AdminUser[];
  readonly #send: DirectSender | undefined;
  readonly #log: Logger;

  constructor(options: {
    admins: readonly AdminUser[];
    send?: DirectSender;
    log: Logger;
  }) {
    this.#admins = options.admins;
    this.#send = options.send;
    this.#log = options.log;
  }

  /**
   * True when `userId` of `platform` is an admin, in workspace `team` on Slack (an admin named
   * without one is an admin in every workspace). Checked on every command, never cached.
   */
  isAdmin(platform: Platform, userId: string, team?: string): boolean {
    return this.#admins.some(
      (a) => a.platform === platform && a.id === userId && (a.team === undefined || a.team === team),
    );
  }

  /**
   * Logs the alert and sends it to every admin (except those on `options.except`, a platform that
   * cannot deliver it now); a failed delivery is logged, never thrown. Resolves with how many admins
   * it reached.
   */
  async notify(kind: string, text: string, options: { except?: Platform } = {}): Promise<number> {
    const admins = this.#admins.filter((admin) => admin.platform !== options.except);
    this.#log.warn({ kind, alert: text, admins: admins.length }, 'admin alert');
    const send = this.#send;
    if (!send) return 0;
    const delivered = await Promise.all(
      admins.map((admin) =>
        send(admin.platform, admin.id, text).then(
          () => true,
          (err: unknown) => {
            this.#log.warn({ err, platform: admin.platform, kind }, 'admin alert not delivered');
            return false;
          },
        ),
      ),
    );
    return delivered.filter(Boolean).length;
  }
}
