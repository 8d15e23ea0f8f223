import { isMessageKey, t, type Locale, type MessageKey } from './i18n/messages';

export const ERROR_CODES = [
  'NOT_FOUND',
  'VALIDATION',
  'CONFLICT',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'RATE_LIMITED',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'STORAGE_FULL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A key of the message catalogs under `errors.`: what an error says, in every language. */
export type ErrorKey = Extract<MessageKey, `errors.${string}`>;
/** Things a "was not saved" message can name (`errors.thing.<name>`). */
export type Thing = After<ErrorKey, 'errors.thing.'>;
/** Things a "was not found" message can name (`errors.notFound.<name>`). */
export type MissingThing = Exclude<After<ErrorKey, 'errors.notFound.'>, 'hint'>;
type After<K, P extends string> = K extends `${P}${infer T}` ? T : never;

/** A message to be said in the reader's language: a catalog key and the values for its placeholders. */
export interface Said {
  key: ErrorKey;
  params?: MessageParams;
}
export type MessageParams = Record<string, string | number | Said>;

export interface FieldIssue extends Said {
  field: string;
}

/** What is stored now, for a CONFLICT: its version and the texts a person compares with what they typed. */
export interface StoredVersion {
  version: number | string;
  values: Record<string, string | null>;
}

export function isErrorKey(value: string): value is ErrorKey {
  return value.startsWith('errors.') && isMessageKey(value);
}

/** A message in `locale`; placeholders that are messages themselves are said in the same language. */
export function say(locale: Locale, message: Said): string {
  const vars: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(message.params ?? {})) vars[name] = typeof value === 'object' ? say(locale, value) : value;
  return t(locale, message.key, vars);
}

export function fieldIssue(field: string, key: ErrorKey, params?: MessageParams): FieldIssue {
  return params ? { field, key, params } : { field, key };
}

/** An error as one reader sees it. */
export interface LocalizedError {
  message: string;
  hint?: string;
  fields: { field: string; message: string }[];
}

/**
 * An error a person can act on: a stable code, a catalog key (with its
 * parameters) saying what happened and why, an optional hint saying what to
 * do, and per-field issues for forms. The glue says it in the reader's
 * language; `message` is the English text, for logs and the CLI.
 */
export class ShiraseError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly key: ErrorKey,
    readonly options: {
      params?: MessageParams;
      hint?: ErrorKey | Said;
      /** Lists the field issues as the hint, for clients that read only message and hint. */
      hintListsFields?: boolean;
      fields?: FieldIssue[];
      retryAfterSeconds?: number;
      current?: StoredVersion;
    } = {},
  ) {
    super(say('en', { key, params: options.params }));
    this.name = 'ShiraseError';
  }

  get params(): MessageParams {
    return this.options.params ?? {};
  }

  get fields(): FieldIssue[] {
    return this.options.fields ?? [];
  }

  localized(locale: Locale): LocalizedError {
    const fields = this.fields.map((f) => ({ field: f.field, message: say(locale, f) }));
    const hint = this.options.hint;
    const hintText =
      typeof hint === 'string'
        ? t(locale, hint)
        : hint
          ? say(locale, hint)
          : this.options.hintListsFields
            ? fields.map((f) => t(locale, 'errors.fieldLine', f)).join(' ')
            : undefined;
    return { message: say(locale, { key: this.key, params: this.options.params }), ...(hintText ? { hint: hintText } : {}), fields };
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
  STORAGE_FULL: 503,
};

/**
 * A write refused because there is no room: SQLite's SQLITE_FULL (a full
 * disk, or the DATABASE_MAX_MB ceiling) or ENOSPC/EDQUOT from a file write.
 * Said as STORAGE_FULL (503) so the person sees that nothing was saved and
 * why, and the operator reads it in the log; undefined for any other error.
 */
export function asStorageFull(error: unknown): ShiraseError | undefined {
  const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
  if (code !== 'SQLITE_FULL' && code !== 'ENOSPC' && code !== 'EDQUOT') return undefined;
  console.error(`[shirase] a write was refused: no room left (${code}); free disk space${code === 'SQLITE_FULL' ? ' or raise DATABASE_MAX_MB' : ''}.`);
  return new ShiraseError('STORAGE_FULL', 'errors.storageFull', { hint: 'errors.storageFull.hint', retryAfterSeconds: 60 });
}

/** The JSON body every API error answers with, said in the reader's language. */
export function errorBody(error: ShiraseError, locale: Locale = 'en') {
  const said = error.localized(locale);
  return {
    error: {
      code: error.code,
      key: error.key,
      message: said.message,
      ...(said.hint ? { hint: said.hint } : {}),
      ...(said.fields.length > 0 ? { fields: said.fields } : {}),
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
  return new ShiraseError('CONFLICT', 'errors.conflict', { hint: 'errors.conflict.hint', current });
}

export function notFound(thing: MissingThing, id?: string): ShiraseError {
  return new ShiraseError('NOT_FOUND', `errors.notFound.${thing}`, { params: id === undefined ? {} : { id }, hint: 'errors.notFound.hint' });
}

/** Says what the "was not saved" messages name. */
function thing(name: Thing): Said {
  return { key: `errors.thing.${name}` };
}

/** Field issues found while reading input, raised as one VALIDATION error naming what was not saved. */
export function notSaved(what: Thing, fields: FieldIssue[], options: { hintListsFields?: boolean } = {}): ShiraseError {
  return new ShiraseError('VALIDATION', fields.length === 1 ? 'errors.notSavedOne' : 'errors.notSaved', {
    params: { what: thing(what), count: fields.length },
    fields,
    ...options,
  });
}
