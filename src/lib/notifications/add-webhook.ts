import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { webhooks } from '../../../db/schema';
import { ShiraseError, fieldIssue } from '../errors';
import { newPublicId } from '../ids';
import { recordAudit } from '../audit/record-audit';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { literalHostAllowed } from './webhook-request';

const webhookSchema = z.object({
  url: z
    .string()
    .trim()
    .url('errors.field.webhookUrl')
    .refine((u) => URL.canParse(u) && ['http:', 'https:'].includes(new URL(u).protocol), 'errors.field.webhookScheme'),
  description: z.string().trim().max(200).optional(),
});

/** Adds a webhook and returns its signing secret, which is shown once. */
export function addWebhook(
  db: Db,
  input: z.input<typeof webhookSchema>,
  ctx: WriteContext,
  options: { allowPrivate?: boolean } = {},
): { id: string; secret: string } {
  const data = parseInput(webhookSchema, input, 'webhook');
  // A name is checked on every delivery, after DNS; an address written in the URL can be refused now.
  if (!literalHostAllowed(new URL(data.url), options.allowPrivate ?? false)) {
    throw new ShiraseError('VALIDATION', 'errors.webhook.private', {
      hint: 'errors.webhook.private.hint',
      fields: [fieldIssue('url', 'errors.webhook.private')],
    });
  }
  const id = newPublicId();
  // Standard Webhooks secrets: `whsec_` and the key in (standard) base64, as its libraries decode it.
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  db.transaction((tx) => {
    tx.insert(webhooks)
      .values({ id, url: data.url, description: data.description || null, secret, confirmedAt: ctx.now, createdAt: ctx.now })
      .run();
    recordAudit(tx, ctx, { action: 'webhook.create', entityType: 'webhook', entityId: id, after: { url: data.url } });
  });
  return { id, secret };
}
