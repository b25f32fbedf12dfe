import { Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import type { PermissionConditions } from '@lib/permissions';
import { User } from './user.entity';

/**
 * A per-user override of the default role matrix (see @lib/permissions): the row grants
 * `resource:action`, narrowed by `conditions` (`platforms`, `ownOnly`); `{ "deny": true }` removes it.
 */
@Entity({ tableName: 'user_permissions' })
@Unique({ name: 'user_permissions_userId_resource_action_unique', properties: ['user', 'resource', 'action'] })
export class UserPermission {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => User, { fieldName: 'userId', deleteRule: 'cascade' })
  user!: User;

  @Property({ type: 'string' })
  resource!: string;

  @Property({ type: 'string' })
  action!: string;

  @Property({ type: 'json', nullable: true })
  conditions: PermissionConditions | null = null;
}
