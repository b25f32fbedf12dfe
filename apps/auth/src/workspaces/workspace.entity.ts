import { Entity, EntityRepository, EntityRepositoryType, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { PLANS, PLAN_LIMITS, type Plan, type WorkspaceLimits } from '@lib/contracts';
import { DEFAULT_SETTINGS, type WorkspaceBranding, type WorkspaceSettings } from './workspace-settings';

export class WorkspaceRepository extends EntityRepository<Workspace> {
  /** Slugs already taken among `base`, `base-2`, `base-3`, … */
  async takenSlugs(base: string): Promise<Set<string>> {
    const rows = await this.find({ slug: { $re: `^${base}(-[0-9]+)?$` } }, { fields: ['slug'] });
    return new Set(rows.map((r) => r.slug));
  }
}

/** A tenant: everything on the platform belongs to exactly one workspace. */
@Entity({ tableName: 'workspaces', repository: () => WorkspaceRepository })
export class Workspace {
  [EntityRepositoryType]?: WorkspaceRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'string' })
  name!: string;

  @Property({ type: 'string', unique: 'workspaces_slug_unique' })
  slug!: string;

  @Enum({ items: [...PLANS], nativeEnumName: 'workspace_plan' })
  plan: Plan = 'FREE';

  @Property({ type: 'json' })
  settings: WorkspaceSettings = structuredClone(DEFAULT_SETTINGS);

  @Property({ type: 'json' })
  branding: WorkspaceBranding = {};

  @Property({ type: 'json' })
  limits: WorkspaceLimits = { ...PLAN_LIMITS.FREE };

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
