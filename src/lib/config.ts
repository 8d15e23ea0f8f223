import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import proxyAddr from 'proxy-addr';
import { trimTrailingSlashes } from './text/trim-trailing';
import { Encrypter } from 'age-encryption';

const LOCALES = ['en', 'ja'] as const;

/** Whether the runtime knows this IANA zone name. */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const configSchema = z.object({
  DATABASE_PATH: z.string().min(1).default('./data/shirase.db').describe("the SQLite file; only the server's first start creates it"),
  DATABASE_MAX_MB: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000_000)
    .optional()
    .describe(
      'the most the database file may grow to, in megabytes; past it writes are refused with "no room left" (503), as on a full disk, while pages keep being read. Unset: as large as the disk allows',
    ),
  HOST: z
    .string()
    .min(1)
    .default('localhost')
    .describe('the address to listen on: 0.0.0.0 (or ::) for every interface, 127.0.0.1 behind a proxy on the same machine'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4321).describe('the port to listen on'),
  SITE_URL: z
    .string()
    .url('must be an absolute URL such as https://status.example.com')
    .optional()
    .describe(
      'the public address readers use (default http://HOST:PORT); every absolute link in pages, feeds, mail and the API is built from it, never from the Host header',
    ),
  SITE_NAME: z.string().min(1).max(100).default('Fusen Status').describe('the name in the header and titles (Admin → Settings overrides it)'),
  TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone name such as Asia/Tokyo or Etc/UTC')
    .default('Asia/Tokyo')
    .describe('the IANA zone times and days are shown in, named on every page (Admin → Settings overrides it)'),
  DEFAULT_LOCALE: z.enum(LOCALES).default('en').describe('the interface language when the reader has not chosen one: en or ja (Admin → Settings overrides it)'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://, such as smtp://user:pass@mail.example.com:587')
    .optional()
    .describe('the mail server, smtp://user:pass@host:587 or smtps://…:465; without it mail is written to files in MAIL_DIR and shown under Admin → Mail'),
  MAIL_FROM: z.string().min(3).optional().describe('the From address of every email (default: SITE_NAME <status@the host of SITE_URL>)'),
  MAIL_DIR: z.string().min(1).default('./data/mail').describe('where emails are written as .eml files when there is no SMTP_URL'),
  MAIL_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(300)
    .default(20)
    .describe('how long to wait on a silent mail server before trying the message again later'),
  MAIL_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(50).describe('at most this many emails a second'),
  REMINDER_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_080)
    .default(60)
    .describe('how long before a maintenance window its reminder goes out (0: no reminder)'),
  ALERT_NOTICE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(300)
    .describe('at most one staff notice per alert source in this many seconds; the suggestions in between are gathered into the next one, with their count'),
  CADENCE_CHECK_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3_600)
    .default(60)
    .describe('how often open incidents are checked for a missed update cadence, and follow-ups for a passed due day'),
  WORKER: z.enum(['inline', 'off']).default('inline').describe('inline runs the delivery worker inside the server; off leaves it to npm run worker'),
  POSTMORTEMS_DIR: z
    .string()
    .min(1)
    .default('./data/postmortems')
    .describe('the folder postmortems written in the admin are saved to, beside the database by default'),
  SHIPPED_POSTMORTEMS_DIR: z
    .string()
    .min(1)
    .default('./content/postmortems')
    .describe("postmortems that ship with the site (the demo's), read but never written; none reads only POSTMORTEMS_DIR"),
  EXPORT_DIR: z.string().min(1).optional().describe('a folder that receives a static copy of the public site after every change'),
  EXPORT_RCLONE_REMOTE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'an rclone destination (such as r2:status-copy) the static copy in EXPORT_DIR is published to after every change, for another provider to serve while the origin is down',
    ),
  LIVE_MODE: z
    .enum(['events', 'poll'])
    .default('events')
    .describe(
      'events keeps open pages current over Server-Sent Events (falling back to polling); poll makes them poll the small /live.json, which a CDN can cache',
    ),
  TRUST_PROXY: z
    .string()
    .default('0')
    .transform((value) => parseTrustProxy(value))
    .refine((value) => value !== 'invalid', "must be 0, a number of proxy hops such as 1, or the proxies' addresses such as 127.0.0.1,10.0.0.0/8")
    .describe(
      "the proxies in front that append to X-Forwarded-For: a hop count (1 for one nginx) or their addresses (127.0.0.1,10.0.0.0/8, loopback); the client is the rightmost address that is not one of them; 0 takes the connection's own address, so a client cannot choose its own",
    ),
  MAX_CONNECTIONS: z.coerce
    .number()
    .int()
    .min(16)
    .max(1_000_000)
    .default(4_000)
    .describe(
      'open connections the server accepts at once; at the cap, the connection that has waited longest without a request being answered (silent, half-sent or idle) is closed to let a new one in',
    ),
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(500)
    // Generous: a large office behind one NAT address opens the page all at once on the worst day.
    .describe(
      "open connections (and, a quarter as many, live event streams) one client address (an IPv6 client by its /64) may hold; trusted proxies are exempt, so behind nginx or a CDN set TRUST_PROXY, or the proxy's connections count as one client's",
    ),
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['0', '1'])
    .default('0')
    .describe('1 lets webhooks reach loopback and private-network addresses (a receiver on your own network); 0 allows public addresses only'),
  CHAT_WEBHOOK_HOSTS: z
    .string()
    .default('')
    .describe(
      'more hosts (host or host:port, comma-separated) that chat channels may post to besides Slack, Teams and Discord: a self-hosted Mattermost or Rocket.Chat that takes Slack messages',
    ),
  PUSH_SERVICE_HOSTS: z
    .string()
    .default('')
    .describe(
      'more push services (host or host:port, comma-separated) browsers may subscribe through besides the known ones (Google, Mozilla, Microsoft, Apple): a self-hosted push service',
    ),
  RENDER_THREADS: z.coerce
    .number()
    .int()
    // 0 renders in the serving thread itself: quick to start, for tests and tiny sites, but a slow render then holds up readers.
    .min(0)
    .max(8)
    // One per core left beside the serving thread: more would only take turns on the same cores.
    .default(Math.max(1, Math.min(4, availableParallelism() - 1)))
    .describe('threads that render pages and staff screens beside the thread that serves; 0 renders in the serving thread itself'),
  STAFF_2FA: z
    .enum(['optional', 'required'])
    .default('optional')
    .describe('required makes every admin set up two-factor sign-in before reaching anything else; optional leaves it to each person'),
  SESSION_MAX_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(30)
    .describe('the longest a staff session lasts from its sign-in, however busy (an unused one ends after 12 hours anyway); then the person signs in again'),
  BACKUP_DIR: z.string().min(1).optional().describe('a folder the server writes its scheduled backups to (with BACKUP_EVERY)'),
  BACKUP_EVERY: z
    .string()
    .regex(/^\d+(s|m|h|d)$/, 'must be a number and a unit, such as 6h, 30m or 1d')
    .transform((value) => durationMs(value))
    .refine((ms) => ms >= 10_000, 'must be at least 10s')
    .optional()
    .describe('how often the server takes a backup into BACKUP_DIR, such as 6h'),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(14).describe('how many scheduled backups to keep in BACKUP_DIR; older ones are deleted'),
  BACKUP_RCLONE_REMOTE: z
    .string()
    .min(1)
    .optional()
    .describe('an rclone destination (such as offsite:shirase-backups) each scheduled backup is copied to; rclone reads its own configuration'),
  BACKUP_AGE_RECIPIENT: z
    .string()
    .refine(isAgeRecipient, 'must be an age public key such as age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p (age-keygen prints it)')
    .optional()
    .describe(
      'an age public key every backup (npm run backup and BACKUP_EVERY) is encrypted to; age -d -i key.txt or npm run restore -- --identity key.txt opens it. Unset: backups are plain tar, readable by their owner only',
    ),
  BACKUP_AGE_IDENTITY: z
    .string()
    .min(1)
    .optional()
    .describe('a file holding the age identity (from age-keygen) that npm run restore decrypts an encrypted backup with; --identity FILE does the same'),
  RESTORE_MAX_MB: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .default(16_384)
    .describe(
      'the most a backup may unpack to, in megabytes: npm run restore refuses a backup whose manifest lists more (or whose archive holds more than it lists) before writing anything',
    ),
  CHECKS: z
    .enum(['on', 'off'])
    .default('on')
    .describe('on runs the HTTP and TCP checks staff set up under Admin → Checks; off leaves them idle (for a copy of the site that must not probe anything)'),
  LOG_LEVEL: z.enum(['info', 'warn', 'error']).default('info').describe('the least severe log lines written: warn keeps only what needs looking at'),
  LOG_REQUESTS: z
    .enum(['0', '1'])
    .default('0')
    .describe('1 logs one line per request (method, path without its query, status, time taken); 0 logs events only'),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters, such as the output of: openssl rand -hex 24')
    .optional()
    .describe('a bearer token Prometheus sends to read /metrics from anywhere; without it /metrics answers on loopback only'),
  SEED_DEMO: z.enum(['auto', 'never']).default('auto').describe('auto seeds the demo into an empty database; never leaves an empty database empty'),
});

/** One environment variable as docs/configuration.md lists it. */
export interface ConfigVariable {
  name: string;
  default: string | undefined;
  description: string;
}

/** Defaults worked out on the machine that runs, said in words. */
const DEFAULTS_IN_WORDS: Record<string, string> = { RENDER_THREADS: 'cores − 1, from 1 to 4' };

/** Every variable the configuration reads, with its default and description, in the schema's order: the source of docs/configuration.md. */
export function configReference(): ConfigVariable[] {
  return Object.entries(configSchema.shape).map(([name, type]) => {
    let t: z.ZodTypeAny = type;
    let description = t.description;
    let fallback: string | undefined;
    // The description may sit on any layer of the chain (.optional(), .default(), .transform()).
    for (;;) {
      description ??= t.description;
      if (t instanceof z.ZodDefault) fallback = String((t._def as { defaultValue: () => unknown }).defaultValue());
      const inner = t instanceof z.ZodDefault || t instanceof z.ZodOptional ? t._def.innerType : t instanceof z.ZodEffects ? t._def.schema : undefined;
      if (!inner) break;
      t = inner as z.ZodTypeAny;
    }
    return { name, default: DEFAULTS_IN_WORDS[name] ?? fallback, description: description ?? '' };
  });
}

function isAgeRecipient(value: string): boolean {
  try {
    new Encrypter().addRecipient(value);
    return true;
  } catch {
    return false;
  }
}

/** `90s`, `30m`, `6h`, `1d` in milliseconds. */
function durationMs(value: string): number {
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[value.slice(-1) as 's' | 'm' | 'h' | 'd'];
  return Number(value.slice(0, -1)) * unit;
}

export type TrustProxy = { hops: number } | { addresses: string[] } | null;

/** `0`: no proxy; `2`: the two nearest hops; `127.0.0.1,10.0.0.0/8` or `loopback`: those addresses. */
function parseTrustProxy(value: string): TrustProxy | 'invalid' {
  const text = value.trim();
  if (text === '0' || text === 'false') return null;
  if (/^\d+$/.test(text)) return { hops: Number(text) };
  const addresses = text
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  try {
    // proxy-addr understands addresses, CIDR ranges and the names loopback, linklocal and uniquelocal.
    proxyAddr.compile(addresses);
    return { addresses };
  } catch {
    return 'invalid';
  }
}

export interface Config {
  databasePath: string;
  /** The most the database may grow to (DATABASE_MAX_MB), in bytes. */
  databaseMaxBytes: number | undefined;
  host: string;
  port: number;
  siteUrl: string;
  siteName: string;
  timeZone: string;
  defaultLocale: (typeof LOCALES)[number];
  seedDemo: 'auto' | 'never';
  exportDir: string | undefined;
  /** Where the static copy is published with rclone after every change (EXPORT_RCLONE_REMOTE). */
  exportRcloneRemote: string | undefined;
  /** How open pages hear of changes: Server-Sent Events, or polling the change document (LIVE_MODE). */
  liveMode: 'events' | 'poll';
  /** Where postmortems are written (`dir`) and the shipped folder also read (see PostmortemSources). */
  postmortems: { dir: string; shipped: string | undefined };
  smtpUrl: string | undefined;
  mailFrom: string;
  mailDir: string;
  mailPerSecond: number;
  mailTimeoutMs: number;
  reminderMinutes: number;
  /** The least time between two staff notices about one alert source (ALERT_NOTICE_SECONDS), in milliseconds. */
  alertNoticeMs: number;
  /** How often the missed-cadence check runs, in milliseconds. */
  cadenceCheckMs: number;
  worker: 'inline' | 'off';
  /** Whether the server runs the checks (CHECKS). */
  checks: 'on' | 'off';
  /**
   * Which hops of X-Forwarded-For are trusted proxies: none (the connection's
   * address is the client), the nearest N hops, or the proxies' addresses.
   */
  trustProxy: TrustProxy;
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** Whether webhook deliveries may connect to loopback and private-network addresses. */
  webhookAllowPrivate: boolean;
  /** Hosts chat channels may post to besides the platforms' own (CHAT_WEBHOOK_HOSTS). */
  chatWebhookHosts: string[];
  /** Push services browsers may subscribe through besides the known ones (PUSH_SERVICE_HOSTS). */
  pushServiceHosts: string[];
  renderThreads: number;
  /** Whether admins must sign in with a second factor (STAFF_2FA). */
  staffTwoFactor: 'optional' | 'required';
  /** The bearer token /metrics asks for; without it, loopback only. */
  metricsToken: string | undefined;
  /** One log line per request (LOG_REQUESTS=1). */
  logRequests: boolean;
  /** The least severe log lines written. */
  logLevel: 'info' | 'warn' | 'error';
  /** SESSION_MAX_DAYS in milliseconds: a session's absolute lifetime. */
  sessionMaxAgeMs: number;
  /** Scheduled backups: where, how often, how many kept, and where else each is copied. */
  backup: { dir: string; everyMs: number; keep: number; rcloneRemote: string | undefined } | undefined;
  /** The age public key backups are encrypted to (BACKUP_AGE_RECIPIENT). */
  backupAgeRecipient: string | undefined;
  /** What `npm run restore` takes: the age identity file and the most a backup may unpack to. */
  restore: { ageIdentityFile: string | undefined; maxBytes: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Shirase cannot start: the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix them in the environment or .env and start again; .env.example lists every variable.`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Reads `.env` in the given folder (the project folder) into the environment,
 * the environment winning: a variable already set, even empty, is kept.
 * Returns the file read, or null when there is none, for the start line.
 */
export function readDotEnv(dir: string = process.cwd(), env: Record<string, string | undefined> = process.env): string | null {
  const path = join(dir, '.env');
  if (!existsSync(path)) return null;
  for (const [name, value] of Object.entries(parseEnv(readFileSync(path, 'utf8')))) if (!(name in env) && value !== undefined) env[name] = value;
  return path;
}

/** Parses the whole environment at once so every bad variable is reported together. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const name = String(i.path[0]);
        // SMTP_URL may hold a password: never echo it.
        const shown = name === 'SMTP_URL' ? '(hidden)' : JSON.stringify(input[name]);
        return `${i.path.join('.')}: ${i.message} (got ${shown})`;
      }),
    );
  }
  const c = result.data;
  if (Boolean(c.BACKUP_DIR) !== Boolean(c.BACKUP_EVERY) || (c.BACKUP_RCLONE_REMOTE && !c.BACKUP_EVERY)) {
    throw new ConfigError([
      'BACKUP_DIR and BACKUP_EVERY: scheduled backups need both, a folder and how often (such as BACKUP_DIR=./data/backups BACKUP_EVERY=6h); BACKUP_RCLONE_REMOTE needs them too',
    ]);
  }
  if (c.EXPORT_RCLONE_REMOTE && !c.EXPORT_DIR) {
    throw new ConfigError(['EXPORT_RCLONE_REMOTE: the static copy is published from EXPORT_DIR, so set that too (such as EXPORT_DIR=./data/export)']);
  }
  // An IPv6 host (HOST=::1) is written in brackets in a URL.
  const siteUrl = trimTrailingSlashes(c.SITE_URL ?? `http://${c.HOST.includes(':') ? `[${c.HOST}]` : c.HOST}:${c.PORT}`);
  return {
    databasePath: c.DATABASE_PATH,
    databaseMaxBytes: c.DATABASE_MAX_MB === undefined ? undefined : c.DATABASE_MAX_MB * 1024 * 1024,
    host: c.HOST,
    port: c.PORT,
    siteUrl,
    siteName: c.SITE_NAME,
    timeZone: c.TIME_ZONE,
    defaultLocale: c.DEFAULT_LOCALE,
    seedDemo: c.SEED_DEMO,
    trustProxy: c.TRUST_PROXY as TrustProxy,
    maxConnections: c.MAX_CONNECTIONS,
    maxConnectionsPerAddress: c.MAX_CONNECTIONS_PER_ADDRESS,
    webhookAllowPrivate: c.WEBHOOK_ALLOW_PRIVATE === '1',
    chatWebhookHosts: c.CHAT_WEBHOOK_HOSTS.split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    pushServiceHosts: c.PUSH_SERVICE_HOSTS.split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    renderThreads: c.RENDER_THREADS,
    staffTwoFactor: c.STAFF_2FA,
    metricsToken: c.METRICS_TOKEN,
    logRequests: c.LOG_REQUESTS === '1',
    logLevel: c.LOG_LEVEL,
    sessionMaxAgeMs: c.SESSION_MAX_DAYS * 86_400_000,
    exportDir: c.EXPORT_DIR,
    exportRcloneRemote: c.EXPORT_RCLONE_REMOTE,
    liveMode: c.LIVE_MODE,
    backup:
      c.BACKUP_DIR && c.BACKUP_EVERY ? { dir: c.BACKUP_DIR, everyMs: c.BACKUP_EVERY, keep: c.BACKUP_KEEP, rcloneRemote: c.BACKUP_RCLONE_REMOTE } : undefined,
    backupAgeRecipient: c.BACKUP_AGE_RECIPIENT,
    restore: { ageIdentityFile: c.BACKUP_AGE_IDENTITY, maxBytes: c.RESTORE_MAX_MB * 1024 * 1024 },
    postmortems: { dir: c.POSTMORTEMS_DIR, shipped: c.SHIPPED_POSTMORTEMS_DIR === 'none' ? undefined : c.SHIPPED_POSTMORTEMS_DIR },
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM ?? `${c.SITE_NAME} <status@${new URL(siteUrl).hostname}>`,
    mailDir: c.MAIL_DIR,
    mailPerSecond: c.MAIL_PER_SECOND,
    mailTimeoutMs: c.MAIL_TIMEOUT_SECONDS * 1000,
    reminderMinutes: c.REMINDER_MINUTES,
    alertNoticeMs: c.ALERT_NOTICE_SECONDS * 1000,
    cadenceCheckMs: c.CADENCE_CHECK_SECONDS * 1000,
    worker: c.WORKER,
    checks: c.CHECKS,
  };
}
