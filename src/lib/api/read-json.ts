import { ShiraseError } from '../errors';

const MAX_JSON_BYTES = 256 * 1024;

/** Reads a JSON request body, refusing oversized and malformed ones with a code a client can act on. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_JSON_BYTES) throw tooLarge();
  const raw = await request.arrayBuffer();
  if (raw.byteLength > MAX_JSON_BYTES) throw tooLarge();
  const text = new TextDecoder().decode(raw);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ShiraseError('BAD_REQUEST', 'errors.json.invalid', { params: { detail: (error as Error).message }, hint: 'errors.json.invalid.hint' });
  }
}

function tooLarge(): ShiraseError {
  return new ShiraseError('PAYLOAD_TOO_LARGE', 'errors.json.tooLarge', { params: { kb: MAX_JSON_BYTES / 1024 }, hint: 'errors.json.tooLarge.hint' });
}
