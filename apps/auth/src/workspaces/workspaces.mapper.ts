import type { Plan, WorkspaceLimits } from '@lib/contracts';
import type { Workspace } from './workspace.entity';
import type { WorkspaceBranding, WorkspaceSettings } from './workspace-settings';

export interface WorkspaceResponse {
  id: string;
  name: string;
  slug: string;
  plan: Plan;
  settings: WorkspaceSettings;
  branding: WorkspaceBranding;
  limits: WorkspaceLimits;
  createdAt: string;
  updatedAt: string;
}

export function toWorkspaceResponse(w: Workspace): WorkspaceResponse {
  return {
    id: w.id,
    name: w.name,
    slug: w.slug,
    plan: w.plan,
    settings: w.settings,
    branding: w.branding,
    limits: w.limits,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}
