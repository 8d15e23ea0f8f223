// The status pages API: list, add, change and remove the pages this install
// answers, with the `pages` scope: an admin's, as Admin → Pages is. Bodies are
// snake_case like the rest of the API and checked by the same field
// validators as the admin form and the CLI (page-input.ts); edits are
// versioned like every other edit (`version` or If-Match).
import { z } from 'zod';
import type { Db } from '../../../../db/open';
import { notFound, ShiraseError } from '../../errors';
import { addPage } from '../../pages/add-page';
import { editPage } from '../../pages/edit-page';
import { listPages, loadPage, type PageView } from '../../pages/load-pages';
import { newPageSchema, pageEditSchema } from '../../pages/page-input';
import { removePage } from '../../pages/remove-page';
import type { ApiAnswer } from './answers';
import { parseBody } from './endpoint';
import { versionOf, type WriteRoute } from './routes';
import './schemas';

const f = newPageSchema.shape;

const pageBodyShape = {
  slug: f.slug.openapi({ description: 'How the CLI and this API name the page: 1 to 40 lowercase letters, digits and hyphens inside', example: 'mobile-app' }),
  name: f.name.openapi({ description: 'The name readers see. The default page has none of its own: it is called by the site’s name' }),
  hosts: pageEditSchema.shape.hosts.openapi({
    description:
      'The host names that reach the page, as browsers send them, without a scheme or port; on an edit, the list replaces the page’s. A host no page names reaches the default page',
  }),
  component_ids: pageEditSchema.shape.componentIds.openapi({
    description: 'The ids of the components the page shows; on an edit, the list replaces the page’s',
  }),
  default_locale: pageEditSchema.shape.defaultLocale.openapi({
    description: 'The language readers without a preference get (`en` or `ja`); null or left out: the site’s',
  }),
  private: pageEditSchema.shape.private.openapi({
    description:
      'Shown only to the viewers `viewers` lets in, who sign in by a link mailed to them; strangers get a sign-in page, and 401 from the API, feeds and calendars. The default page stays public',
  }),
  viewers: z
    .array(z.union([z.string().max(320), z.object({ pattern: z.string().max(320), component_ids: z.array(z.string().max(40)).max(500).nullish() })]))
    .max(500)
    .optional()
    .openapi({
      description:
        'Who may see a private page: an email address or a whole domain (`@example.com`) each, a plain string or `{pattern, component_ids}` for a group that sees only those components; on an edit, the list replaces the page’s',
      example: ['@acme.example', { pattern: 'ops@partner.example', component_ids: ['k3j9x2m4q8a1'] }],
    }),
};

const PAGE_EXAMPLE = {
  slug: 'mobile-app',
  name: 'Mobile app',
  hosts: ['status.mobile.example.com'],
  component_ids: ['k3j9x2m4q8a1'],
  default_locale: 'ja' as const,
};

const newPageBody = z.object({ ...pageBodyShape, slug: f.slug, name: f.name }).openapi('NewStatusPage', { example: PAGE_EXAMPLE, required: ['slug', 'name'] });

const pageEditBody = z
  .object({
    ...pageBodyShape,
    slug: pageBodyShape.slug.optional(),
    name: pageBodyShape.name.optional(),
    version: z.unknown().openapi({
      type: 'integer',
      minimum: 1,
      description:
        'Optional. The version this edit started from; if the page changed since, nothing is changed and the answer is 409 CONFLICT with `current_version`. Without it (or an If-Match header) the edit applies whatever happened in between.',
    }),
  })
  .openapi('StatusPageEdit', { example: { hosts: ['status.mobile.example.com', 'status.app.example.com'], version: 2 } });

type PageBody = z.output<typeof pageEditBody>;

/** The body's snake_case names as the verbs know them; what was left out stays out, so an edit keeps it. */
function verbInput(b: PageBody) {
  return Object.fromEntries(
    Object.entries({
      slug: b.slug,
      name: b.name,
      hosts: b.hosts,
      componentIds: b.component_ids,
      defaultLocale: b.default_locale,
      private: b.private,
      viewers: b.viewers?.map((v) => (typeof v === 'string' ? v : { pattern: v.pattern, componentIds: v.component_ids ?? null })),
    }).filter(([, v]) => v !== undefined),
  );
}

/** Field issues the verb names in its own words (componentIds), said under the body's names (component_ids). */
function asSent<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof ShiraseError) || error.fields.length === 0) throw error;
    const fields = error.fields.map((issue) => ({ ...issue, field: issue.field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) }));
    throw new ShiraseError(error.code, error.key, { ...error.options, fields });
  }
}

/** A page as the API says it: snake_case, times in ISO 8601. */
function pageObject(page: PageView) {
  return {
    id: page.id,
    slug: page.slug,
    name: page.name,
    default: page.isDefault,
    hosts: page.hosts,
    component_ids: page.componentIds,
    default_locale: page.defaultLocale,
    private: page.private,
    viewers: page.viewers.map((v) => ({ pattern: v.pattern, component_ids: v.componentIds })),
    version: page.version,
    created_at: new Date(page.createdAt).toISOString(),
    updated_at: new Date(page.updatedAt).toISOString(),
  };
}

/** The page named in the path, or NOT_FOUND, before its body is looked at. */
function existingPage(db: Db, slug: string): void {
  if (!loadPage(db, slug)) throw notFound('page', slug);
}

function pageAnswer(page: PageView, status: number): ApiAnswer {
  return { status, body: pageObject(page) };
}

export const PAGE_EXAMPLE_ANSWER = {
  id: 'p7m2q9x4c1za',
  ...PAGE_EXAMPLE,
  default: false,
  private: false,
  viewers: [],
  version: 1,
  created_at: '2026-12-01T01:00:00.000Z',
  updated_at: '2026-12-01T01:00:00.000Z',
};

export const PAGE_ROUTES = {
  listPages: {
    method: 'GET',
    path: '/pages',
    scope: 'pages',
    summary: 'List the status pages, the default first',
    status: 200,
    answers: 'pages',
    handle(call) {
      return { status: 200, body: listPages(call.db).map(pageObject) };
    },
  },
  addPage: {
    method: 'POST',
    path: '/pages',
    scope: 'pages',
    summary: 'Add a status page with its host names and components',
    body: newPageBody,
    status: 201,
    answers: 'page',
    handle(call) {
      const b = parseBody(newPageBody, call.body, 'page');
      return asSent(() => {
        addPage(call.db, { ...verbInput(b), slug: b.slug, name: b.name }, call.ctx);
        return pageAnswer(loadPage(call.db, b.slug)!, 201);
      });
    },
  },
  editPage: {
    method: 'PATCH',
    path: '/pages/{slug}',
    scope: 'pages',
    summary: 'Change a status page: only the fields sent change',
    body: pageEditBody,
    ifMatch: true,
    status: 200,
    answers: 'page',
    handle(call) {
      existingPage(call.db, call.params.slug!);
      const b = parseBody(pageEditBody, call.body, 'page');
      return asSent(() => pageAnswer(editPage(call.db, call.params.slug!, { ...verbInput(b), version: versionOf(call) }, call.ctx), 200));
    },
  },
  removePage: {
    method: 'DELETE',
    path: '/pages/{slug}',
    scope: 'pages',
    summary:
      'Remove a status page: its host names reach the default page, its components stay, its subscribers move to the default page (the default page cannot be removed)',
    ifMatch: true,
    status: 204,
    answers: 'nothing',
    handle(call) {
      removePage(call.db, call.params.slug!, call.ctx, versionOf(call));
      return { status: 204, body: null };
    },
  },
} satisfies Record<string, WriteRoute>;
