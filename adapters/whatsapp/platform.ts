/**
 * WhatsApp as the bridge's registry knows it (`src/platforms.ts`): its variables (the Cloud API's
 * token, phone number id, app secret and verify token, which only go together), which of them are
 * secrets, how its admins are named, its documentation, and how its adapter is built.
 */
import { z } from 'zod';
import { optionalSecret, url } from '../../src/config-values.ts';
import { definePlatform } from '../shared/platform.ts';
import type { WhatsAppSourceFormat } from './format.ts';
import { createWhatsAppAdapter, WHATSAPP_DEFAULT_API_VERSION } from './index.ts';

/** WhatsApp's settings; `config.whatsapp`, absent when `WHATSAPP_ACCESS_TOKEN` is unset. */
export interface WhatsAppSettings {
  /** A System User access token with `whatsapp_business_messaging`. Secret. */
  accessToken: string;
  /** The business phone number's id (digits), not the number. */
  phoneNumberId: string;
  /** The Meta app's secret, which signs webhooks. Secret. */
  appSecret: string;
  /** The verify token of the webhook handshake. Secret. */
  verifyToken: string;
  /** Graph API root, without a trailing slash. Default `https://graph.facebook.com`. */
  apiRoot: string;
  /** Graph API version. Default `v23.0`. */
  apiVersion: string;
  /** What the agent answers in: Markdown (rendered) or WhatsApp's own format (only split). */
  format: WhatsAppSourceFormat;
  /** Pace sends before Meta's limits (`WHATSAPP_SEND_PACING`, default on). */
  pacing: boolean;
}

/** The variables that mean nothing without one another: WhatsApp needs all four. */
const REQUIRED = ['WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN'] as const;

export const whatsappPlatform = definePlatform({
  id: 'whatsapp',
  label: 'WhatsApp',
  token: 'WHATSAPP_ACCESS_TOKEN',
  howTo:
    'WHATSAPP_ACCESS_TOKEN with WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN for WhatsApp',
  variables: {
    WHATSAPP_ACCESS_TOKEN: optionalSecret,
    WHATSAPP_PHONE_NUMBER_ID: optionalSecret.pipe(
      z
        .string()
        .regex(/^\d{1,32}$/, {
          error: 'must be the phone number id (digits) from WhatsApp Manager, not the number',
        })
        .optional(),
    ),
    WHATSAPP_APP_SECRET: optionalSecret,
    WHATSAPP_VERIFY_TOKEN: optionalSecret,
    WHATSAPP_API_ROOT: url('https://graph.facebook.com', 'https://graph.facebook.com'),
    WHATSAPP_API_VERSION: z
      .string()
      .optional()
      .transform((v) => v?.trim() || WHATSAPP_DEFAULT_API_VERSION)
      .pipe(z.string().regex(/^v\d{1,3}\.\d{1,2}$/, { error: 'must be a Graph API version such as v23.0' })),
    WHATSAPP_FORMAT: z
      .enum(['markdown', 'whatsapp'], { error: 'must be markdown or whatsapp' })
      .default('markdown'),
    WHATSAPP_SEND_PACING: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  },
  secrets: ['WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN'],
  needs: [...REQUIRED],
  admins: {
    forms: 'whatsapp:6281311112222',
    parse: ([id, ...rest]) =>
      rest.length === 0 && id !== undefined && /^\d{6,20}$/.test(id)
        ? { id }
        : 'has a WhatsApp id that is not the phone number in digits (country code first, no +)',
  },
  problems: (set) =>
    set.WHATSAPP_ACCESS_TOKEN
      ? REQUIRED.filter((name) => !set[name]).map((name) => `${name} is required with WHATSAPP_ACCESS_TOKEN`)
      : [],
  settings: (e): WhatsAppSettings | undefined =>
    e.WHATSAPP_ACCESS_TOKEN && e.WHATSAPP_PHONE_NUMBER_ID && e.WHATSAPP_APP_SECRET && e.WHATSAPP_VERIFY_TOKEN
      ? {
          accessToken: e.WHATSAPP_ACCESS_TOKEN,
          phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
          appSecret: e.WHATSAPP_APP_SECRET,
          verifyToken: e.WHATSAPP_VERIFY_TOKEN,
          apiRoot: e.WHATSAPP_API_ROOT as string,
          apiVersion: e.WHATSAPP_API_VERSION,
          format: e.WHATSAPP_FORMAT,
          pacing: e.WHATSAPP_SEND_PACING === 'on',
        }
      : undefined,
  create: (settings, { log }) => createWhatsAppAdapter({ ...settings, log }),
  docs: [
    {
      names: ['WHATSAPP_ACCESS_TOKEN'],
      comment: [
        'WhatsApp Cloud API: a permanent System User token with whatsapp_business_messaging. Setting it',
        'turns WhatsApp on; Meta posts to /whatsapp/webhook on HTTP_PORT. Secret.',
      ],
      meaning: 'enables WhatsApp (`/whatsapp/webhook`), with the three below',
      default: 'unset: WhatsApp off',
    },
    {
      names: ['WHATSAPP_PHONE_NUMBER_ID'],
      comment: ["The business phone number's id (digits, from WhatsApp Manager), not the number itself."],
      meaning: "the business phone number's id, not the number",
      default: 'required with the token',
    },
    {
      names: ['WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN'],
      comment: [
        "The Meta app's secret (it signs each webhook) and the verify token you type into the app's",
        'webhook settings. Secret.',
      ],
      meaning: "checks the signature of every webhook; answers Meta's verification",
      default: 'required with the token',
    },
    {
      names: ['WHATSAPP_API_ROOT', 'WHATSAPP_API_VERSION'],
      comment: ['Graph API root (a proxy) and version.'],
      examples: { WHATSAPP_API_ROOT: 'https://graph.facebook.com', WHATSAPP_API_VERSION: 'v23.0' },
      meaning: 'Graph API root (proxies) and version',
      default: '`https://graph.facebook.com`, `v23.0`',
    },
    {
      names: ['WHATSAPP_FORMAT'],
      comment: [
        "What the agent's answers are written in: markdown (rendered to WhatsApp's *bold* _italic_) or",
        'whatsapp when the Aksita key already answers in the WhatsApp response format (only split).',
      ],
      examples: { WHATSAPP_FORMAT: 'markdown' },
      meaning: "`markdown` (rendered) or `whatsapp` (the key already answers in WhatsApp's format)",
      default: '`markdown`',
    },
    {
      names: ['WHATSAPP_SEND_PACING'],
      comment: [
        "Space sends before Meta's limits (a burst, then one message every 6 s to a user; 50/s per number):",
        'on or off (off for a number with raised throughput).',
      ],
      examples: { WHATSAPP_SEND_PACING: 'on' },
      meaning: "pace sends before Meta's limits; `off` or `on`",
      default: '`on`',
    },
  ],
});
