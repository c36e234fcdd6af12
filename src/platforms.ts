/**
 * The platforms the bridge speaks to: one line per `adapters/<platform>/platform.ts`. The
 * configuration (`config.ts`), the composition root (`app.ts`), the metrics' platforms,
 * `.env.example`'s platform sections and the README's platform variables
 * (`scripts/gen-config-docs.ts`) are derived from this list, so adding a platform is its folder and
 * one line here.
 */
import { discordPlatform } from '../adapters/discord/platform.ts';
import type { AnyPlatform, PlatformDescriptor } from '../adapters/shared/platform.ts';
import { slackPlatform } from '../adapters/slack/platform.ts';
import { telegramPlatform } from '../adapters/telegram/platform.ts';
import { whatsappPlatform } from '../adapters/whatsapp/platform.ts';

/** Every platform, one a line, in the order start-up, docs and messages list them. */
export const PLATFORMS = [
  telegramPlatform,
  discordPlatform,
  slackPlatform,
  whatsappPlatform,
] as const satisfies readonly AnyPlatform[];

export type { AnyPlatform };

/** The id of a platform of the registry. */
export type PlatformId = (typeof PLATFORMS)[number]['id'];

type SettingsOf<D> = D extends PlatformDescriptor<string, infer _Shape, infer Settings> ? Settings : never;

/** Each platform's settings under its id (`config.telegram`), absent while it is off. */
export type PlatformSettings = {
  [D in (typeof PLATFORMS)[number] as D['id']]?: SettingsOf<D>;
};

/** The variable of a platform's own Aksita key, `AKSITA_API_KEY_<ID>`, falling back to `AKSITA_API_KEY`. */
export function aksitaKeyVariable(id: string): string {
  return `AKSITA_API_KEY_${id.toUpperCase()}`;
}
