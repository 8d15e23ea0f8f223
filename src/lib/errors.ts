export type ErrorCode = 'NOT_FOUND' | 'VALIDATION' | 'CONFLICT' | 'FORBIDDEN' | 'UNAUTHORIZED' | 'RATE_LIMITED' | 'BAD_REQUEST' | 'PAYLOAD_TOO_LARGE';

export interface FieldIssue {
  field: string;
  message: string;
}

/** What is stored now, for a CONFLICT: its version and the texts a person compares with what they typed. */
export interface StoredVersion {
  version: number | string;
  values: Record<string, string | null>;
}

/**
 * An error a person can act on: a stable code, a message saying what happened
 * and why, an optional hint saying what to do, and per-field issues for forms.
 */
export class ShiraseError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { hint?: string; fields?: FieldIssue[]; retryAfterSeconds?: number; current?: StoredVersion } = {},
  ) {
    super(message);
    this.name = 'ShiraseError';
  }

  get fields(): FieldIssue[] {
    return this.options.fields ?? [];
  }
}

export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  NOT_FOUND: 404,
  VALIDATION: 422,
  CONFLICT: 409,
  FORBIDDEN: 403,
  UNAUTHORIZED: 401,
  RATE_LIMITED: 429,
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
};

/** The JSON body every API error answers with. */
export function errorBody(error: ShiraseError) {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.options.hint ? { hint: error.options.hint } : {}),
      ...(error.fields.length > 0 ? { fields: error.fields } : {}),
      ...(error.options.current ? { current_version: error.options.current.version, current: error.options.current.values } : {}),
    },
  };
}

/**
 * A save based on an old version: someone else saved in between. Checked
 * inside the writing transaction, so of two saves from the same version the
 * second is refused and shown both texts instead of overwriting the first.
 */
export function editConflict(current: StoredVersion): ShiraseError {
  return new ShiraseError('CONFLICT', 'Someone else saved this while you were editing, so your changes were not saved.', {
    hint: 'Compare what is stored now with what you typed (kept in the form), then save again to replace it.',
    current,
  });
}

export function notFound(what: string): ShiraseError {
  return new ShiraseError('NOT_FOUND', `${what} was not found.`, {
    hint: 'Check the address; it may have been removed or mistyped.',
  });
}
