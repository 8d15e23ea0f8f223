import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './test-server';
import { startProgram } from './program';

/** Debian's package puts it here; .ci/run installs it. */
export const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
/** The configuration Shirase ships, tested as it is but for the places it asks readers to change. */
const SHIPPED_CONFIG = resolve('deploy/nginx/shirase.conf');

export interface NginxOptions {
  /** Shirase's port on loopback. */
  upstreamPort: number;
  /** Where the static copy arrives, served while the origin is down. */
  copyDir: string;
  /**
   * What nginx.conf's main and events blocks set (defaults as for a test:
   * one worker, 1,024 connections). A bench with thousands of clients
   * raises them as a real deployment would.
   */
  workers?: { processes: number; connections: number; rlimitNofile?: number };
  /** Buffers the access log (flushed each second), so a herd does not cost a write per request. */
  bufferLog?: boolean;
  /** More of nginx's http block, such as a second server for a benchmark to compare with. */
  extraHttp?: string;
}

export interface RunningNginx {
  url: string;
  /** The cache folder, for a test to look into. */
  cacheDir: string;
  /** One line per request: `status cache-status path`. */
  accessLog(): string[];
  /** What nginx complained of, for a failing test to show. */
  errorLog(): string;
  stop(): Promise<void>;
}

/** Replaces `from` in the shipped file, which must hold it exactly once: a changed file fails loudly here. */
function substitute(text: string, from: string, to: string): string {
  const parts = text.split(from);
  if (parts.length !== 2) throw new Error(`deploy/nginx/shirase.conf should hold "${from}" once, holds it ${parts.length - 1} times`);
  return parts.join(to);
}

/**
 * Debian's nginx with the shipped configuration on a free loopback port, its
 * cache, logs and temporary files in a temporary folder; never the system
 * service. Resolves once it answers.
 */
export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'shirase-nginx-'));
  const cacheDir = join(dir, 'cache');
  mkdirSync(cacheDir);
  const port = await freePort();
  const workers = options.workers ?? { processes: 1, connections: 1024 };
  let site = readFileSync(SHIPPED_CONFIG, 'utf8');
  site = substitute(site, 'server 127.0.0.1:4321;', `server 127.0.0.1:${options.upstreamPort};`);
  site = substitute(site, 'proxy_cache_path /var/cache/nginx/shirase ', `proxy_cache_path ${cacheDir} `);
  site = substitute(site, 'root /var/www/shirase-copy;', `root ${options.copyDir};`);
  // With several workers, each gets its own listening socket and the kernel spreads connections evenly between them.
  site = substitute(site, '    listen 80 backlog=4096;', `    listen 127.0.0.1:${port} backlog=4096${workers.processes > 1 ? ' reuseport' : ''};`);
  writeFileSync(join(dir, 'shirase.conf'), site);
  // What Debian's nginx.conf sets around the included file, with every path in the temporary folder.
  writeFileSync(
    join(dir, 'nginx.conf'),
    // As root, nginx's workers would run as nobody, who may not write the temporary folder; as anyone else, they run as that user.
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes ${workers.processes};
${workers.rlimitNofile ? `worker_rlimit_nofile ${workers.rlimitNofile};\n` : ''}worker_shutdown_timeout 5s;
error_log ${join(dir, 'error.log')} warn;
events { worker_connections ${workers.connections}; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  log_format cache '$status $upstream_cache_status $request_uri';
  access_log ${join(dir, 'access.log')} cache${options.bufferLog ? ' buffer=256k flush=1s' : ''};
  client_body_temp_path ${join(dir, 'client-body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  include ${join(dir, 'shirase.conf')};
${options.extraHttp ?? ''}
}
`,
  );
  const url = `http://127.0.0.1:${port}`;
  const { stop } = await startProgram(
    'nginx',
    NGINX,
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`],
    {
      dir,
      // QUIT: nginx's graceful stop.
      stopSignal: 'SIGQUIT',
      ready: () => waitUntilAnswering(url),
    },
  );
  return {
    url,
    cacheDir,
    accessLog: () => {
      try {
        return readFileSync(join(dir, 'access.log'), 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    errorLog: () => {
      try {
        return readFileSync(join(dir, 'error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    stop,
  };
}

async function waitUntilAnswering(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    // Any answer will do: the origin may not be up yet.
    const up = await fetch(`${url}/favicon.svg`).then(
      () => true,
      () => false,
    );
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nginx at ${url} did not answer within 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
