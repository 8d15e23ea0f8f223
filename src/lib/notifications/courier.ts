import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config';
import type { EmailMessage, WebhookMessage } from './compose';
import { postWebhookRequest } from './webhook-request';
import { makePrivateFolder, writePrivateFile } from '../private-files';

/** How a delivery attempt ended, in terms the outbox can act on. */
export type Outcome =
  | { ok: true; response: string }
  | {
      ok: false;
      permanent: boolean;
      error: string;
      /** The receiver asked to wait this long (a 429): the retry waits exactly that, and so does everything else to it. */
      retryAfterMs?: number;
      /** The receiver says the address is gone for good (404, 410): a chat channel that answers so is turned off. */
      gone?: boolean;
    };

export interface Courier {
  sendEmail(message: EmailMessage): Promise<Outcome>;
  postWebhook(message: WebhookMessage): Promise<Outcome>;
  /** Where mail goes, for logs and the admin (never the password). */
  describe(): string;
  close(): void;
}

/** SMTP answers 5xx for permanent refusals; everything else (4xx, lost connections, timeouts) may pass on retry. */
function smtpOutcome(error: unknown): Outcome {
  const e = error as { responseCode?: number; response?: string; code?: string; message?: string };
  const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
  return { ok: false, permanent, error: (e.response ?? e.message ?? String(error)).slice(0, 500) };
}

function webhookPoster(config: Config): (message: WebhookMessage) => Promise<Outcome> {
  return (message) => postWebhookRequest(message, { allowPrivate: config.webhookAllowPrivate });
}

function smtpCourier(config: Config): Courier {
  const url = new URL(config.smtpUrl!);
  const transport = nodemailer.createTransport({
    pool: true,
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    maxConnections: 5,
    maxMessages: 1000,
    rateDelta: 1000,
    rateLimit: config.mailPerSecond,
    // A stalled server costs one timeout, then the row waits for its retry: no hot loop.
    connectionTimeout: config.mailTimeoutMs,
    greetingTimeout: config.mailTimeoutMs,
    socketTimeout: config.mailTimeoutMs,
    tls: { rejectUnauthorized: url.searchParams.get('tls') !== 'insecure' },
  });
  return {
    async sendEmail(m) {
      try {
        const info = await transport.sendMail({
          from: config.mailFrom,
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          messageId: m.messageId,
          headers: m.headers,
          list: m.list,
        });
        return { ok: true, response: String(info.response ?? 'accepted').slice(0, 500) };
      } catch (error) {
        return smtpOutcome(error);
      }
    },
    postWebhook: webhookPoster(config),
    describe: () => `SMTP ${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`,
    close: () => transport.close(),
  };
}

/**
 * With no SMTP server configured, each email is written as an .eml file under
 * the mail folder, so the demo's subscribe and confirm flow works offline.
 */
function fileCourier(config: Config): Courier {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async sendEmail(m) {
      const info = await transport.sendMail({
        from: config.mailFrom,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: m.messageId,
        headers: m.headers,
        list: m.list,
      });
      // Mail carries confirmation and sign-in links and readers' addresses: the owner's only.
      makePrivateFolder(config.mailDir);
      const name = `${Date.now()}-${m.messageId.replace(/[^\w.-]+/g, '_')}.eml`;
      writePrivateFile(join(config.mailDir, name), info.message as Buffer, join(config.mailDir, `.${name}.tmp`));
      return { ok: true, response: `written to ${name}` };
    },
    postWebhook: webhookPoster(config),
    describe: () => `files in ${config.mailDir}`,
    close: () => transport.close(),
  };
}

export function createCourier(config: Config): Courier {
  return config.smtpUrl ? smtpCourier(config) : fileCourier(config);
}
