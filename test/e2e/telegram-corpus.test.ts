/**
 * A sample of the Telegram corpus (test/corpus/telegram-payloads.ts) end to end: real grammY against
 * the fake Bot API, the real worker and Redis, the fake agent. What the corpus test decides from the
 * router's rules is what a chat sees.
 */
import { expect, it } from 'vitest';
import { TELEGRAM_CASES } from '../corpus/telegram-payloads.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();

/**
 * The corpus entry `name`'s update, sent now (the bridge drops stale messages) with a fresh update id;
 * `messageId` makes it another message (the bridge drops one it has seen).
 */
function corpusUpdate(name: string, messageId?: number): object {
  const found = TELEGRAM_CASES.find((c) => c.name === name);
  if (!found) throw new Error(`no corpus entry ${name}`);
  const { update_id: _, ...update } = found.update;
  const [kind, message] = Object.entries(update)[0] as [string, Record<string, unknown>];
  const date = Math.floor(Date.now() / 1000);
  return { [kind]: { ...message, date, ...(messageId !== undefined && { message_id: messageId }) } };
}

it('answers anonymous admins and unknown commands, keeps deep-link payloads as context, skips automatic forwards', async () => {
  await fx.start({ GROUP_MODE: 'all' });
  const { telegram, aksita } = fx;
  telegram.pushUpdate(corpusUpdate('deep link /start with a payload'));
  telegram.pushUpdate(corpusUpdate('private text'));
  telegram.pushUpdate(corpusUpdate('automatic forward of a linked channel post, GROUP_MODE=all'));
  telegram.pushUpdate(corpusUpdate('anonymous group admin mentioning the bot'));
  telegram.pushUpdate(corpusUpdate('anonymous group admin asking for /credits'));
  telegram.pushUpdate(corpusUpdate('group: a command to the bot that the bridge does not know'));
  await telegram.waitFor(() => telegram.sentTo(4321).length === 2, 10_000, 'the private chat answered');
  await telegram.waitFor(
    () => telegram.sentTo(-1001234567890).length === 2,
    10_000,
    'the supergroup answered',
  );
  await telegram.waitFor(() => telegram.sentTo(-4012345678).length === 1, 10_000, 'the group answered');

  expect(telegram.sentTo(4321)).toEqual([
    "Hi! Send me a message and I'll answer as soon as I can.",
    'echo: Apa ibu kota Indonesia?',
  ]);
  // The automatic forward came first in its chat: anything it had caused would be posted first.
  expect(telegram.sentTo(-1001234567890)).toEqual([
    'echo: rangkum diskusi hari ini',
    "Sorry, I can't tell who you are when you write as the group or as a channel, so admin commands are not available. Send the command as yourself.",
  ]);
  expect(telegram.sentTo(-4012345678)).toEqual(['echo: /summarize the war of 1812']);
  const asked = Object.fromEntries(aksita.chats.map((c) => [c.message, c.additionalContext]));
  expect(Object.keys(asked).sort()).toEqual(
    ['/summarize the war of 1812', 'Apa ibu kota Indonesia?', 'rangkum diskusi hari ini'].sort(),
  );
  expect(asked['Apa ibu kota Indonesia?']).toBe(
    'Platform: Telegram; Chat type: private chat; User: "Budi Santoso"; Start parameter: "ref_campaign42"',
  );
  expect(asked['rangkum diskusi hari ini']).toBe(
    'Platform: Telegram; Chat type: group chat; User: "Komunitas Aksita"',
  );

  // The payload was context of one question only.
  telegram.pushUpdate(corpusUpdate('private text', 9_001));
  await telegram.waitFor(() => telegram.sentTo(4321).length === 3, 10_000, 'the second answer');
  expect(aksita.chats.at(-1)?.additionalContext).toBe(
    'Platform: Telegram; Chat type: private chat; User: "Budi Santoso"',
  );
});
