import type { Caller } from '../common/caller';
import { User } from './user.entity';
import { assertCanAssign, assertCanManage } from './member-policy';
import type { Role } from '@lib/permissions';

const caller = (role: Role): Caller => ({ userId: 'c', workspaceId: 'w', role, sessionId: 's', name: 'C', email: 'c@example.com', subject: { userId: 'c', role, overrides: [] } });
const member = (role: Role) => Object.assign(new User(), { id: 'm', role });

describe('member policy', () => {
  it('lets a caller manage only members strictly below them, and never the owner', () => {
    expect(() => assertCanManage(caller('ADMIN'), member('MANAGER'))).not.toThrow();
    expect(() => assertCanManage(caller('ADMIN'), member('ADMIN'))).toThrow(expect.objectContaining({ code: 'AUTH.ROLE_FORBIDDEN' }));
    expect(() => assertCanManage(caller('MANAGER'), member('ADMIN'))).toThrow(expect.objectContaining({ code: 'AUTH.ROLE_FORBIDDEN' }));
    expect(() => assertCanManage(caller('OWNER'), member('OWNER'))).toThrow(expect.objectContaining({ code: 'AUTH.OWNER_CONFLICT' }));
    expect(() => assertCanManage(caller('ADMIN'), member('OWNER'))).toThrow(expect.objectContaining({ code: 'AUTH.OWNER_CONFLICT' }));
  });

  it('hands out only roles strictly below the caller, and OWNER to nobody', () => {
    expect(() => assertCanAssign(caller('OWNER'), 'ADMIN')).not.toThrow();
    expect(() => assertCanAssign(caller('OWNER'), 'OWNER')).toThrow(expect.objectContaining({ code: 'AUTH.ROLE_FORBIDDEN' }));
    expect(() => assertCanAssign(caller('ADMIN'), 'ADMIN')).toThrow(expect.objectContaining({ code: 'AUTH.ROLE_FORBIDDEN' }));
    expect(() => assertCanAssign(caller('ADMIN'), 'VIEWER')).not.toThrow();
  });
});
