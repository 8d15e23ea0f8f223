import { z } from 'zod';

const LOCALES = ['en', 'ja'] as const;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const configSchema = z.object({
  DATABASE_PATH: z.string().min(1).default('./data/shirase.db'),
  HOST: z.string().min(1).default('localhost'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4321),
  SITE_URL: z
    .string()
    .url('must be an absolute URL such as https://status.example.com')
    .optional(),
  SITE_NAME: z.string().min(1).max(100).default('Fusen Status'),
  TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone name such as Asia/Tokyo or Etc/UTC')
    .default('Asia/Tokyo'),
  DEFAULT_LOCALE: z.enum(LOCALES).default('en'),
  POSTMORTEMS_DIR: z.string().min(1).default('./content/postmortems'),
  EXPORT_DIR: z.string().min(1).optional().describe('a folder that receives a static copy of the public site after every change'),
  SEED_DEMO: z
    .enum(['auto', 'never'])
    .default('auto')
    .describe('auto seeds the demo into an empty database; never leaves an empty database empty'),
});

export interface Config {
  databasePath: string;
  host: string;
  port: number;
  siteUrl: string;
  siteName: string;
  timeZone: string;
  defaultLocale: (typeof LOCALES)[number];
  seedDemo: 'auto' | 'never';
  exportDir: string | undefined;
  postmortemsDir: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Shirase cannot start: the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix them in the environment or .env and start again; .env.example lists every variable.`);
    this.name = 'ConfigError';
  }
}

/** Parses the whole environment at once so every bad variable is reported together. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(input[String(i.path[0])])})`));
  }
  const c = result.data;
  const siteUrl = (c.SITE_URL ?? `http://${c.HOST}:${c.PORT}`).replace(/\/+$/, '');
  return {
    databasePath: c.DATABASE_PATH,
    host: c.HOST,
    port: c.PORT,
    siteUrl,
    siteName: c.SITE_NAME,
    timeZone: c.TIME_ZONE,
    defaultLocale: c.DEFAULT_LOCALE,
    seedDemo: c.SEED_DEMO,
    exportDir: c.EXPORT_DIR,
    postmortemsDir: c.POSTMORTEMS_DIR,
  };
}

let cached: Config | undefined;

/** The process's configuration, parsed on first use. */
export function getConfig(): Config {
  cached ??= parseConfig();
  return cached;
}
