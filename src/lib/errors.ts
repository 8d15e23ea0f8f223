export const ERROR_CODES = ['NOT_FOUND', 'VALIDATION', 'CONFLICT', 'FORBIDDEN', 'UNAUTHORIZED', 'RATE_LIMITED'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * An error a person can act on: a stable code, a message saying what happened
 * and why, an optional hint saying what to do, and per-field issues for forms.
 */
export class ShiraseError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { hint?: string; fields?: FieldIssue[]; retryAfterSeconds?: number } = {},
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
};

export function notFound(what: string): ShiraseError {
  return new ShiraseError('NOT_FOUND', `${what} was not found.`, {
    hint: 'Check the address; it may have been removed or mistyped.',
  });
}
