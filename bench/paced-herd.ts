// Readers arriving at a set rate, whatever the server does: an open-loop
// load, in a process of its own. A herd of connections each waiting for its
// answer before asking again (autocannon's, the closed loop) measures how
// much a server answers flat out, but the time it reports is mostly its own
// queue: 1,000 connections at N answers a second wait about 1,000 / N s each.
// Here requests come at random moments (a Poisson process, as independent
// readers do) at `rate` a second over `connections` kept-alive connections,
// and each one's time counts from the moment it was due, not from when a
// connection was free to send it, so a slow answer holding up the ones
// behind it is counted against the server as readers would feel it.
import { KeepAliveConnection } from './raw-http';

interface Options {
  urls: string[];
  connections: number;
  /** Requests a second, all paths together. */
  rate: number;
  seconds: number;
}

export interface PacedResult {
  /** Requests due in the run and answered. */
  total: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  /** Errors and non-2xx by kind: "connection closed: 3". */
  failures: string[];
}

const options = JSON.parse(process.argv[2]!) as Options;
const targets = options.urls.map((url) => new URL(url));
/**
 * Idle connections per path, longest idle first, so that all of them carry
 * readers as 1,000 browsers would; a request due when none is idle waits for
 * one, and that wait counts.
 */
const idle = targets.map(() => [] as KeepAliveConnection[]);
const due = targets.map(() => [] as number[]);
const latencies: number[] = [];
let errors = 0;
let non2xx = 0;
/** What went wrong, by kind, for the report. */
const failures = new Map<string, number>();

function failed(kind: string): void {
  errors++;
  failures.set(kind, (failures.get(kind) ?? 0) + 1);
}
let outstanding = 0;

function send(path: number, connection: KeepAliveConnection, dueAt: number): void {
  outstanding++;
  const target = targets[path]!;
  connection
    .get(target.pathname + target.search)
    .then(
      (answer) => {
        latencies.push(performance.now() - dueAt);
        if (answer.status < 200 || answer.status >= 400) {
          non2xx++;
          failures.set(`status ${answer.status}`, (failures.get(`status ${answer.status}`) ?? 0) + 1);
        }
      },
      (error: Error) => failed(error.message),
    )
    .finally(() => {
      outstanding--;
      const next = due[path]!.shift();
      if (next === undefined) idle[path]!.push(connection);
      else send(path, connection, next);
    });
}

async function main(): Promise<void> {
  // Every connection open and warm before the clock starts.
  await Promise.all(
    Array.from({ length: options.connections }, async (_, i) => {
      const path = i % targets.length;
      const connection = new KeepAliveConnection(targets[path]!);
      // A connection that cannot even open is counted, and tried again when its turn comes.
      await connection.get(targets[path]!.pathname + targets[path]!.search).catch((error: Error) => failed(`before the run: ${error.message}`));
      idle[path]!.push(connection);
    }),
  );
  const start = performance.now();
  const end = start + options.seconds * 1_000;
  let nextDue = start;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (nextDue <= now && nextDue < end) {
        // Each path at random, so each one's arrivals are a Poisson process too.
        const path = Math.floor(Math.random() * targets.length);
        const connection = idle[path]!.shift();
        if (connection) send(path, connection, nextDue);
        else due[path]!.push(nextDue);
        // Exponential gaps: arrivals independent of each other and of the answers.
        nextDue += (-Math.log(1 - Math.random()) / options.rate) * 1_000;
      }
      if (nextDue < end) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  // The last answers, for at most ten seconds.
  const deadline = performance.now() + 10_000;
  while ((outstanding > 0 || due.some((d) => d.length > 0)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const unanswered = due.reduce((n, d) => n + d.length, 0) + outstanding;
  for (let i = 0; i < unanswered; i++) failed('no answer within 10 s of the run');
  const sorted = latencies.sort((a, b) => a - b);
  const at = (share: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))] ?? NaN);
  const result: PacedResult = {
    total: sorted.length,
    requestsPerSecond: Math.round(sorted.length / options.seconds),
    p50: at(0.5),
    p99: at(0.99),
    max: at(1),
    errors,
    non2xx,
    failures: [...failures].map(([kind, n]) => `${kind}: ${n}`),
  };
  process.send!(result, () => process.exit(0));
}

void main();
