import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  to: string;
  raw: string;
  subject: string;
  messageId: string;
  header(name: string): string | undefined;
}

/** How the sink answers a recipient: accept, refuse for now (4xx), refuse for good (5xx). */
export type Answer = 'accept' | 'tempfail' | 'permfail';

/**
 * A real SMTP server on loopback that keeps what it receives. `answer`
 * decides per recipient how each delivery is met, so tests can stage 4xx
 * and 5xx replies; `delayMs` slows each message down.
 */
export async function startSmtpSink(options: { answer?: (to: string, attempt: number) => Answer; delayMs?: number } = {}) {
  const received: ReceivedMail[] = [];
  const attempts = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // close() waits this long for clients to hang up before it cuts them off. The
    // default is 30 s, and a mailer's pooled connection never hangs up on its own.
    closeTimeout: 200,
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase();
      const n = (attempts.get(to) ?? 0) + 1;
      attempts.set(to, n);
      const answer = options.answer?.(to, n) ?? 'accept';
      if (answer === 'tempfail') return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
      if (answer === 'permfail') return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
        const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim();
        for (const rcpt of session.envelope.rcptTo) {
          received.push({ to: rcpt.address.toLowerCase(), raw, subject: header('Subject') ?? '', messageId: header('Message-ID') ?? '', header });
        }
        setTimeout(callback, options.delayMs ?? 0);
      });
    },
  });
  // Clients killed mid-message (the crash tests do it on purpose) reset their connections: expected, not a failure.
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts,
    for: (to: string) => received.filter((m) => m.to === to.toLowerCase()),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Decodes a quoted-printable body enough to find links and text in it. */
export function decodeQuotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
