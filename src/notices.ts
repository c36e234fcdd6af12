/**
 * Every text the bridge itself says to users, in one place, in English and Indonesian. Operators can
 * change the wording with `BRIDGE_NOTICES_FILE`: a JSON object of `{ "<key>": "text" }` for the
 * configured language.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './core/errors.ts';

/** The notices the bridge can post. */
export type NoticeKey =
  | 'welcome'
  | 'textOnly'
  | 'unavailable'
  | 'badRequest'
  | 'serviceDown'
  | 'serviceDownNoAlert'
  | 'outOfCredits'
  | 'emptyReply'
  | 'overBudget'
  | 'notAllowed'
  | 'resetDone'
  | 'help'
  | 'commandFailed'
  | 'commandWorking'
  | 'channelReset'
  | 'answerCut'
  | 'agentDown'
  | 'lateAnswer'
  | 'staleDropped'
  | 'tooSlow'
  | 'reportSentPrivately'
  | 'reportNotSent'
  | 'anonymousAdmin'
  | 'privateBot'
  | 'tooManyMessages'
  | 'paused'
  | 'resumed'
  | 'notPaused'
  | 'pauseUsage';

export type Notices = Record<NoticeKey, string>;

const en: Notices = {
  welcome: "Hi! Send me a message and I'll answer as soon as I can.",
  textOnly: 'Sorry, I can only read text messages. Please type your question.',
  unavailable: "Sorry, I can't answer right now. Please try again in a few minutes.",
  badRequest: "Sorry, I couldn't process that message. Could you rephrase it?",
  // A refused key or a disabled agent: `serviceDown` once an admin was sent the alert, else `serviceDownNoAlert`.
  serviceDown: 'Sorry, the assistant is not available at the moment. The team has been notified.',
  serviceDownNoAlert: 'Sorry, the assistant is not available at the moment. Please try again later.',
  outOfCredits: 'Sorry, the assistant is taking a short break. Please try again later.',
  emptyReply: "Sorry, I don't have an answer to that.",
  overBudget: "You've reached today's message limit. You can write again {time}.",
  notAllowed: "Sorry, you're not allowed to use that command.",
  resetDone: "Done: I've forgotten our conversation. Your next message starts a new one.",
  help: "I'm an AI assistant: just write your question and I'll answer.\nCommands: {commands}",
  commandFailed: 'Sorry, that command did not work this time. Please try again in a moment.',
  // A slash command whose answer takes longer than the platform waits (Slack: 3 s); the answer follows.
  commandWorking: 'Working on it…',
  // Slack's `reset` in a channel: a slash command does not say which thread it was typed in.
  channelReset:
    'In a channel every thread is its own conversation: mention me in a new message to start a fresh one.',
  answerCut: '(The answer was too long, so it was cut short here.)',
  agentDown:
    'The assistant is unavailable right now. Your message is kept and will be answered as soon as it is back.',
  lateAnswer: 'Sorry for the late reply. Here is my answer to your earlier message:',
  staleDropped:
    "Sorry, I couldn't answer your message in time. If you still need help, please send it again.",
  tooSlow: 'Sorry, the assistant took too long to answer that message. Please send it again.',
  // An admin report asked for in a shared chat goes to the admin privately; the chat gets one of these.
  reportSentPrivately: 'I sent the report to you in a private message.',
  reportNotSent:
    "I couldn't send you the report in a private message. Start a private chat with me and ask there.",
  // An admin command from someone writing as the group (anonymous admin) or as a channel.
  anonymousAdmin:
    "Sorry, I can't tell who you are when you write as the group or as a channel, so admin commands are not available. Send the command as yourself.",
  // Conversation controls: access (ALLOWED_USERS/ALLOWED_CHATS), flood (USER_RATE_LIMIT), takeover (/pause).
  privateBot: 'Sorry, this assistant is private.',
  tooManyMessages:
    "You're sending messages faster than I can answer. Please wait a minute, then write again.",
  paused: "Paused: I won't answer in {chat} until {time}, or until /resume.",
  resumed: "I'm back: I answer messages in this chat again.",
  notPaused: 'This chat is not paused.',
  pauseUsage: 'Usage: /pause [duration such as 30m, 2h or 1d], or /pause <chat> [duration] for another chat.',
};

const id: Notices = {
  welcome: 'Halo! Kirimkan pesan Anda dan saya akan segera menjawab.',
  textOnly: 'Maaf, saya hanya bisa membaca pesan teks. Silakan ketik pertanyaan Anda.',
  unavailable: 'Maaf, saya belum bisa menjawab saat ini. Silakan coba lagi beberapa menit lagi.',
  badRequest: 'Maaf, pesan tersebut tidak dapat saya proses. Bisakah Anda menuliskannya dengan cara lain?',
  serviceDown: 'Maaf, asisten sedang tidak tersedia. Tim kami sudah diberi tahu.',
  serviceDownNoAlert: 'Maaf, asisten sedang tidak tersedia. Silakan coba lagi nanti.',
  outOfCredits: 'Maaf, asisten sedang beristirahat sebentar. Silakan coba lagi nanti.',
  emptyReply: 'Maaf, saya tidak punya jawaban untuk itu.',
  overBudget: 'Anda sudah mencapai batas pesan hari ini. Anda bisa menulis lagi {time}.',
  notAllowed: 'Maaf, Anda tidak diizinkan memakai perintah itu.',
  resetDone: 'Selesai: percakapan kita sudah saya lupakan. Pesan berikutnya memulai percakapan baru.',
  help: 'Saya asisten AI: tulis saja pertanyaan Anda dan saya akan menjawab.\nPerintah: {commands}',
  commandFailed: 'Maaf, perintah itu belum berhasil kali ini. Silakan coba lagi sebentar lagi.',
  commandWorking: 'Sedang saya kerjakan…',
  channelReset:
    'Di kanal, setiap utas adalah percakapan tersendiri: sebut saya di pesan baru untuk memulai percakapan baru.',
  answerCut: '(Jawabannya terlalu panjang, jadi dipotong di sini.)',
  agentDown:
    'Asisten sedang tidak tersedia. Pesan Anda tetap tersimpan dan akan dijawab begitu asisten kembali.',
  lateAnswer: 'Maaf atas keterlambatannya. Berikut jawaban untuk pesan Anda sebelumnya:',
  staleDropped: 'Maaf, pesan Anda tidak sempat saya jawab. Jika masih perlu bantuan, silakan kirim lagi.',
  tooSlow: 'Maaf, asisten terlalu lama menjawab pesan itu. Silakan kirim lagi.',
  reportSentPrivately: 'Laporannya sudah saya kirim kepada Anda lewat pesan pribadi.',
  reportNotSent:
    'Saya tidak bisa mengirim laporannya lewat pesan pribadi. Mulai obrolan pribadi dengan saya, lalu minta di sana.',
  anonymousAdmin:
    'Maaf, saya tidak bisa mengetahui siapa Anda saat Anda menulis sebagai grup atau kanal, jadi perintah admin tidak tersedia. Kirim perintah itu atas nama Anda sendiri.',
  privateBot: 'Maaf, asisten ini bersifat pribadi.',
  tooManyMessages:
    'Anda mengirim pesan lebih cepat daripada yang bisa saya jawab. Mohon tunggu satu menit, lalu tulis lagi.',
  paused: 'Dijeda: saya tidak akan menjawab di {chat} sampai {time}, atau sampai /resume.',
  resumed: 'Saya kembali: saya menjawab pesan di obrolan ini lagi.',
  notPaused: 'Obrolan ini tidak sedang dijeda.',
  pauseUsage:
    'Cara pakai: /pause [durasi seperti 30m, 2h atau 1d], atau /pause <obrolan> [durasi] untuk obrolan lain.',
};

/** The notices in `language`, with the operator's overrides from `file` applied. */
export function loadNotices(language: 'en' | 'id', file?: string): Notices {
  const notices = { ...(language === 'id' ? id : en) };
  if (!file) return notices;
  let overrides: unknown;
  try {
    overrides = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`BRIDGE_NOTICES_FILE ${file} could not be read as JSON: ${(err as Error).message}`);
  }
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new ConfigError(`BRIDGE_NOTICES_FILE ${file} must hold a JSON object of notice texts`);
  }
  for (const [key, text] of Object.entries(overrides)) {
    if (!(key in notices)) {
      throw new ConfigError(
        `BRIDGE_NOTICES_FILE ${file}: unknown notice "${key}" (known: ${Object.keys(notices).join(', ')})`,
      );
    }
    if (typeof text !== 'string' || text.trim() === '') {
      throw new ConfigError(`BRIDGE_NOTICES_FILE ${file}: notice "${key}" must be a non-empty string`);
    }
    notices[key as NoticeKey] = text;
  }
  return notices;
}

/** The notice `key` with its `{placeholders}` filled in. */
export function fillNotice(notices: Notices, key: NoticeKey, params: Record<string, string> = {}): string {
  return notices[key].replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

/** "at 00:00 UTC (in about 5 hours)" / "pukul 00:00 UTC (sekitar 5 jam lagi)". */
export function whenText(language: 'en' | 'id', at: number, now = Date.now()): string {
  const time = new Date(at).toISOString().slice(11, 16);
  const hours = Math.max(1, Math.round((at - now) / 3_600_000));
  return language === 'id'
    ? `pukul ${time} UTC (sekitar ${hours} jam lagi)`
    : `at ${time} UTC (in about ${hours} hour${hours === 1 ? '' : 's'})`;
}
