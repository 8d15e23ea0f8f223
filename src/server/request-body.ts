import type { IncomingMessage, ServerResponse } from 'node:http';

/** No form or API call needs more than this. */
const MAX_REQUEST_BYTES = 1024 * 1024;
/** Bodies being read at once across all clients may hold at most this much memory. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** And one client address at most this much of it, so no single client can use up the rest. */
const MAX_BUFFERED_PER_ADDRESS = 4 * MAX_REQUEST_BYTES;
let buffered = 0;
const bufferedBy = new Map<string, number>();

function refuse(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>, status: number, code: string, message: string): void {
  if (!res.headersSent) {
    res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
    res.end(JSON.stringify({ error: { code, message } }));
  }
  // Stop reading: the rest of the body is never buffered; the socket closes once the answer is out.
  req.pause();
  res.on('finish', () => req.socket.destroy());
  res.on('close', () => req.socket.destroy());
}

/**
 * Reads a request's whole body, counting bytes as they arrive whatever the
 * framing (Content-Length or chunked), before any parsing or authentication
 * happens. Past `limit`, answers 413 and closes the connection, so memory
 * stays flat whatever a client sends. Resolves to null when it has answered.
 * `clientKey`: the client's share of the memory is counted by this key (see lib/auth/address-key.ts).
 */
export function readRequestBody(
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
  clientKey: string,
  limit = MAX_REQUEST_BYTES,
): Promise<Buffer | null> {
  const tooLarge = () => refuse(req, res, headers, 413, 'PAYLOAD_TOO_LARGE', `Requests are limited to ${limit / 1024 / 1024} MB.`);
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    tooLarge();
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (body: Buffer | null) => {
      if (done) return;
      done = true;
      buffered -= size;
      const left = (bufferedBy.get(clientKey) ?? size) - size;
      if (left > 0) bufferedBy.set(clientKey, left);
      else bufferedBy.delete(clientKey);
      req.off('data', onData);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      buffered += chunk.length;
      const mine = (bufferedBy.get(clientKey) ?? 0) + chunk.length;
      bufferedBy.set(clientKey, mine);
      if (size > limit) {
        tooLarge();
        return finish(null);
      }
      if (buffered > MAX_BUFFERED_BYTES || mine > MAX_BUFFERED_PER_ADDRESS) {
        refuse(req, res, headers, 503, 'BUSY', 'The server is receiving too much at once. Try again in a few seconds.');
        return finish(null);
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish(Buffer.concat(chunks, size)));
    // A client that goes away (or times out) mid-body leaves nothing to answer.
    req.once('close', () => finish(null));
    req.once('error', () => finish(null));
  });
}
