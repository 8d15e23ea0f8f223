// What the write API answers with: the Statuspage v2 shapes of /api/v2, plus
// the versions an edit names to avoid overwriting someone else's.
import type { Db } from '../../../../db/open';
import type { Config } from '../../config';
import { notFound } from '../../errors';
import { isPublicId } from '../../ids';
import { findComponent } from '../../views/components';
import { loadIncident, type IncidentView } from '../../views/incidents';
import { componentsJson, incidentObject } from '../statuspage-v2';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export function incidentAnswer(db: Db, config: Config, now: number, id: string, status: number): ApiAnswer {
  const incident = loadIncident(db, id)!;
  const { components } = componentsJson({ db, config, now });
  const object = incidentObject({ db, config, now }, incident, components);
  const versions = new Map(incident.updates.map((u) => [u.id, u.version]));
  return { status, body: { ...object, version: incident.version, incident_updates: object.incident_updates.map((u) => ({ ...u, version: versions.get(u.id) })) } };
}

export function componentAnswer(db: Db, config: Config, now: number, id: string): ApiAnswer {
  const { components } = componentsJson({ db, config, now });
  return { status: 200, body: { ...components.find((c) => c.id === id), version: findComponent(db, id, now)?.version } };
}

/** The incident named in the path, or NOT_FOUND. */
export function existingIncident(db: Db, id: string): IncidentView {
  const incident = isPublicId(id) ? loadIncident(db, id) : undefined;
  if (!incident) throw notFound('incident', id);
  return incident;
}

export function existingComponent(db: Db, id: string, now: number): void {
  if (!findComponent(db, id, now)) throw notFound('component', id);
}

/** The update named in the path, on the incident named before it, or NOT_FOUND. */
export function existingUpdate(db: Db, incidentId: string, updateId: string): void {
  const incident = isPublicId(incidentId) ? loadIncident(db, incidentId) : undefined;
  if (!incident || !incident.updates.some((u) => u.id === updateId)) throw notFound('update', updateId);
}
