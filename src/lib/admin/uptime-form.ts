// Admin → Uptime: the SLA targets (admins) and corrections to a component's
// status history (any staff member), each correction with its reason.
import type { Db } from '../../../db/open';
import { requirePermission } from '../auth/staff-access';
import type { SessionUser } from '../auth/sessions';
import type { FieldIssue } from '../errors';
import { ShiraseError } from '../errors';
import { correctionSchema, correctStatusHistory, withdrawCorrection } from '../uptime/corrections';
import { setSlaTargets } from '../uptime/sla-targets';
import { actorFor, formInput, localDateTime, text } from './form-input';
import { requireConfirmation } from './run-form';

/** Runs the submitted form and returns where to go next. */
export function handleUptimeForm(db: Db, form: FormData, user: SessionUser, now: number, timeZone: string): string {
  const ctx = { now, actor: actorFor(user) };
  switch (text(form, 'intent')) {
    case 'set_targets': {
      requirePermission(user, 'set-uptime-targets');
      const own: Record<string, string> = {};
      for (const [key, value] of form.entries()) if (key.startsWith('sla-') && typeof value === 'string') own[key.slice('sla-'.length)] = value;
      setSlaTargets(db, { page: text(form, 'page'), components: own }, ctx);
      return '/admin/uptime?done=saved#targets';
    }
    case 'correct': {
      const issues: FieldIssue[] = [];
      const from = localDateTime(form, 'from', timeZone, issues);
      const to = localDateTime(form, 'to', timeZone, issues);
      // An empty time is left for the schema to name as missing rather than read as "now".
      const correction = formInput(
        correctionSchema,
        { componentId: text(form, 'componentId'), from: from ?? Number.NaN, to: to ?? Number.NaN, status: text(form, 'status'), reason: text(form, 'reason') },
        'statusCorrection',
        issues,
      );
      correctStatusHistory(db, correction, ctx);
      return '/admin/uptime?done=saved#corrections';
    }
    case 'withdraw':
      requireConfirmation(form, 'admin.uptime.withdrawConfirm');
      withdrawCorrection(db, text(form, 'id'), ctx);
      return '/admin/uptime?done=saved#corrections';
    default:
      throw new ShiraseError('VALIDATION', 'errors.form.noIntent', { hint: 'errors.hint.reload' });
  }
}
