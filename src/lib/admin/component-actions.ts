import type { Db } from '../../../db/open';
import { requireConfirmation } from './run-form';
import { ShiraseError } from '../errors';
import { requirePermission } from '../auth/staff-access';
import type { SessionUser } from '../auth/sessions';
import { createComponent } from '../components/create-component';
import { createComponentGroup } from '../components/create-component-group';
import { editComponent } from '../components/edit-component';
import { moveComponent } from '../components/move-component';
import { removeComponent } from '../components/remove-component';
import { setComponentStatus, setStatusSchema } from '../components/set-component-status';
import { readVersion } from '../edit-version';
import { actorFor, checked, formInput, optionalText, text, translationsFrom } from './form-input';

/** Runs one of the forms on the components page and returns where to go next. */
export function handleComponentForm(db: Db, form: FormData, user: SessionUser, now: number): string {
  const ctx = { now, actor: actorFor(user) };
  const id = text(form, 'componentId');
  const intent = text(form, 'intent');
  // Setting a status is an editor's job; changing the list itself is an admin's.
  if (intent !== 'set_status') requirePermission(user, 'manage-components');
  switch (intent) {
    case 'set_status':
      setComponentStatus(db, id, formInput(setStatusSchema, { status: text(form, 'status'), note: optionalText(form, 'note') }, 'statusChange'), ctx);
      break;
    case 'create_group':
      createComponentGroup(db, { name: text(form, 'groupName'), description: optionalText(form, 'groupDescription') }, ctx);
      break;
    case 'create_component':
      createComponent(
        db,
        {
          name: text(form, 'name'),
          description: optionalText(form, 'description'),
          groupId: optionalText(form, 'groupId') ?? null,
          onlyShowIfDegraded: checked(form, 'onlyShowIfDegraded'),
          translations: translationsFrom(form, ['name', 'description']),
        },
        ctx,
      );
      break;
    case 'edit_component':
      editComponent(
        db,
        id,
        {
          name: text(form, 'name'),
          description: optionalText(form, 'description') ?? null,
          groupId: optionalText(form, 'groupId') ?? null,
          onlyShowIfDegraded: checked(form, 'onlyShowIfDegraded'),
          translations: translationsFrom(form, ['name', 'description']),
          version: readVersion(form.get('version')),
        },
        ctx,
      );
      break;
    case 'move_up':
    case 'move_down':
      moveComponent(db, id, intent === 'move_up' ? 'up' : 'down', ctx);
      break;
    case 'remove':
      requireConfirmation(form, 'admin.components.removeConfirm');
      removeComponent(db, id, ctx);
      break;
    default:
      throw new ShiraseError('VALIDATION', 'errors.form.noIntent', { hint: 'errors.hint.reload' });
  }
  return '/admin/components?done=saved';
}
