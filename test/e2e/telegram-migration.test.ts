/**
 * A group upgraded to a supergroup (a new chat id): the answer that was in flight is posted in the
 * supergroup, once, without asking the agent again; the supergroup continues the group's conversation.
 */
import { expect, it } from 'vitest';
import { upgradedTo } from '../fakes/telegram.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();

const GROUP = -4_012_345_678;
const SUPERGROUP = -1_001_234_567_890;

it('follows a group upgraded to a supergroup: the answer in flight, then the conversation', async () => {
  await fx.start({ GROUP_MODE: 'all' });
  const { telegram, aksita } = fx;
  telegram.userMessage({ chatId: GROUP, text: 'first question' });
  await telegram.waitFor(() => telegram.sentTo(GROUP).length === 1, 10_000, 'the group answered');
  const conversation = aksita.chats[0]?.conversationId;

  // The group is upgraded while a question waits for its answer: the send to the old id is refused.
  telegram.refuseChat(GROUP, upgradedTo(SUPERGROUP));
  const inFlight = telegram.userMessage({ chatId: GROUP, text: 'asked before the upgrade' });
  await telegram.waitFor(() => telegram.sentTo(SUPERGROUP).length === 1, 10_000, 'the answer re-sent');
  expect(telegram.sendAttempts.filter((a) => a.chatId === String(GROUP) && a.status === 400)).toHaveLength(1);

  // Telegram's service messages, in the old group and in the new supergroup; then a question there.
  const date = Math.floor(Date.now() / 1000);
  const from = { id: 1001, is_bot: false, first_name: 'Tester' };
  const group = { id: GROUP, type: 'group', title: 'Test group' };
  const supergroup = { id: SUPERGROUP, type: 'supergroup', title: 'Test group' };
  const anonymous = { id: 1_087_968_824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' };
  const moved = {
    message_id: inFlight.messageId + 1,
    date,
    chat: group,
    from,
    migrate_to_chat_id: SUPERGROUP,
  };
  telegram.pushUpdate({ message: moved });
  telegram.pushUpdate({
    message: {
      message_id: 1,
      date,
      chat: supergroup,
      from: anonymous,
      sender_chat: supergroup,
      migrate_from_chat_id: GROUP,
    },
  });
  telegram.userMessage({ chatId: SUPERGROUP, text: 'second question' });
  await telegram.waitFor(() => telegram.sentTo(SUPERGROUP).length === 2, 10_000, 'the supergroup answered');

  expect(telegram.sentTo(GROUP)).toEqual(['echo: first question']);
  expect(telegram.sentTo(SUPERGROUP)).toEqual(['echo: asked before the upgrade', 'echo: second question']);
  // A reply reference to the old group's message would point at another message in the supergroup.
  expect(telegram.sent.find((s) => s.text === 'echo: asked before the upgrade')?.replyTo).toBeUndefined();
  // One agent call per question, all in the group's conversation.
  expect(aksita.chats.map((c) => [c.message, c.conversationId])).toEqual([
    ['first question', conversation],
    ['asked before the upgrade', conversation],
    ['second question', conversation],
  ]);
});
