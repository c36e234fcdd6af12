/**
 * Slack as the bridge's registry knows it (`src/platforms.ts`): its variables, which of them are
 * secrets, the checks of them taken together, how its admins are named (in any workspace or in one),
 * its documentation, and how its adapter is built.
 */
import { z } from 'zod';
import { optionalSecret, url } from '../../src/config-values.ts';
import { definePlatform } from '../shared/platform.ts';
import { createSlackAdapter } from './index.ts';

/** Slack settings; `config.slack`, absent when `SLACK_BOT_TOKEN` is unset. */
export interface SlackSettings {
  /** Bot token (`xoxb-`). Secret. */
  botToken: string;
  /** Signing secret for the Events API over HTTP. Secret. Absent in Socket Mode. */
  signingSecret?: string;
  /** App-level token (`xapp-`): Socket Mode instead of HTTP. Secret. */
  appToken?: string;
  /** Web API base, with a trailing slash. Default `https://slack.com/api/`. */
  apiUrl: string;
  /** Reaction shown on the user's message while the agent works; null when turned off. */
  workingReaction: string | null;
}

const USER = /^[UW][A-Z0-9]{2,20}$/;
const TEAM = /^[TE][A-Z0-9]{2,20}$/;

export const slackPlatform = definePlatform({
  id: 'slack',
  label: 'Slack',
  token: 'SLACK_BOT_TOKEN',
  howTo: 'SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) for Slack',
  variables: {
    SLACK_BOT_TOKEN: optionalSecret.pipe(
      z.string().startsWith('xoxb-', { error: 'must be a bot token starting with xoxb-' }).optional(),
    ),
    SLACK_SIGNING_SECRET: optionalSecret,
    SLACK_APP_TOKEN: optionalSecret.pipe(
      z.string().startsWith('xapp-', { error: 'must be an app-level token starting with xapp-' }).optional(),
    ),
    SLACK_API_URL: url('https://slack.com/api/', 'https://slack.com/api/'),
    SLACK_WORKING_REACTION: z
      .string()
      .optional()
      .transform((v) => v?.trim().replace(/^:|:$/g, '') || 'eyes'),
  },
  secrets: ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'],
  needs: ['SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'],
  admins: {
    forms: 'slack:U0ABC (any workspace) or slack:T0XYZ:U0ABC',
    parse: (parts) => {
      if (parts.length === 2) {
        const [team, id] = parts as [string, string];
        if (!TEAM.test(team)) return 'has a Slack workspace id that is not T… (capitals and digits)';
        if (!USER.test(id)) return 'has a Slack user id that is not U… or W… (capitals and digits)';
        return { id, team };
      }
      const [id] = parts;
      return parts.length === 1 && id !== undefined && USER.test(id)
        ? { id }
        : 'is not slack:U… or slack:T…:U… (capitals and digits)';
    },
  },
  problems: (set) =>
    set.SLACK_BOT_TOKEN && !set.SLACK_SIGNING_SECRET && !set.SLACK_APP_TOKEN
      ? ['SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN (or SLACK_APP_TOKEN for Socket Mode)']
      : [],
  settings: (e, raw): SlackSettings | undefined =>
    e.SLACK_BOT_TOKEN
      ? {
          botToken: e.SLACK_BOT_TOKEN,
          ...(e.SLACK_SIGNING_SECRET && { signingSecret: e.SLACK_SIGNING_SECRET }),
          ...(e.SLACK_APP_TOKEN && { appToken: e.SLACK_APP_TOKEN }),
          apiUrl: `${e.SLACK_API_URL as string}/`,
          // An empty SLACK_WORKING_REACTION (set, but blank) turns the reaction off.
          workingReaction:
            raw.SLACK_WORKING_REACTION !== undefined && raw.SLACK_WORKING_REACTION.trim() === ''
              ? null
              : e.SLACK_WORKING_REACTION,
        }
      : undefined,
  create: (settings, { log, notices, config }) =>
    createSlackAdapter({ ...settings, command: config.slackCommand, log, notices }),
  docs: [
    {
      names: ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'],
      comment: [
        'Bot token (xoxb-…) and signing secret: Slack over HTTP, Events API at /slack/events on HTTP_PORT. Secret.',
      ],
      meaning: 'enable Slack over HTTP (`/slack/events`)',
      default: 'unset: Slack off',
    },
    {
      names: ['SLACK_APP_TOKEN'],
      comment: [
        'App-level token (xapp-…) with connections:write: Socket Mode instead of HTTP (no public URL needed). Secret.',
      ],
      meaning: 'Socket Mode instead of HTTP',
      default: 'unset',
    },
    {
      names: ['SLACK_API_URL'],
      comment: ['Web API base (Enterprise proxies).'],
      examples: { SLACK_API_URL: 'https://slack.com/api/' },
      meaning: 'Web API base (Enterprise proxies)',
      default: '`https://slack.com/api/`',
    },
    {
      names: ['SLACK_WORKING_REACTION'],
      comment: ["Reaction shown on the user's message while the agent works. Set it empty to turn it off."],
      examples: { SLACK_WORKING_REACTION: 'eyes' },
      meaning: 'reaction shown while the agent works; set it empty to turn it off',
      default: '`eyes`',
    },
  ],
});
