import type { APIRoute } from 'astro';
import { componentBadge } from '../../lib/api/badge';
import { findComponent } from '../../lib/components/load-components';
import { svgResponse } from '../../lib/api/svg-response';
import { t } from '../../lib/i18n/messages';
import type { PublicPage } from '../../lib/routes/public-page';

export const publicPage: PublicPage = { cors: true, params: { id: 'component' } };

export const GET: APIRoute = ({ locals, params }) => {
  const { db, config, now } = locals.shirase;
  const component = findComponent(db, params.id ?? '', now());
  if (!component) return new Response('No component has this id.\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  return svgResponse(componentBadge(component.name, component.status, t(config.defaultLocale, `status.component.${component.status}`)));
};
