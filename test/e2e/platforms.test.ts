/**
 * The shared end-to-end suite (`shared/cases.ts`) run against every platform's driver: Telegram,
 * Discord, Slack and WhatsApp on their wire fakes, and the test-only echo platform plugged in through the
 * registry. A new platform is one driver in `shared/drivers/` and one line here.
 */
import { describe } from 'vitest';
import { sharedCases } from './shared/cases.ts';
import type { PlatformDriver } from './shared/driver.ts';
import { discordDriver } from './shared/drivers/discord.ts';
import { echoDriver } from './shared/drivers/echo.ts';
import { slackDriver } from './shared/drivers/slack.ts';
import { telegramDriver } from './shared/drivers/telegram.ts';
import { whatsappDriver } from './shared/drivers/whatsapp.ts';

const DRIVERS: readonly PlatformDriver[] = [
  telegramDriver,
  discordDriver,
  slackDriver,
  whatsappDriver,
  echoDriver,
];

for (const driver of DRIVERS) describe(driver.name, () => sharedCases(driver));
