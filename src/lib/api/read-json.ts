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
    throw new ShiraseError('BAD_REQUEST', `The request body is not valid JSON: ${(error as Error).message}.`, {
      hint: 'Send Content-Type: application/json with a JSON object.',
    });
  }
}

function tooLarge(): ShiraseError {
  return new ShiraseError('PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_JSON_BYTES / 1024} KB.`, {
    hint: 'Keep update bodies short and link to a postmortem for the long version.',
  });
}
