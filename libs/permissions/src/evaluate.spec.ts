import { can, conditionsHold, evaluate, type PermissionOverride, type PermissionSubject } from './evaluate';
import { DEFAULT_MATRIX, minimumRole } from './matrix';
import { ROLES, atLeast, type Role } from './roles';
import { decodePermissions, encodePermissions } from './compact';

const subject = (role: Role, overrides: PermissionOverride[] = []): PermissionSubject => ({ userId: 'u1', role, overrides });

describe('default matrix', () => {
  it.each(ROLES)('gives %s exactly the actions at or below its rank', (role) => {
    for (const [resource, actions] of Object.entries(DEFAULT_MATRIX)) {
      for (const [action, min] of Object.entries(actions)) {
        expect([resource, action, evaluate(subject(role), resource, action).allowed]).toEqual([resource, action, atLeast(role, min)]);
      }
    }
  });

  it('keeps the documented key rights', () => {
    expect(can(subject('VIEWER'), 'posts', 'read')).toBe(true);
    expect(can(subject('VIEWER'), 'posts', 'create')).toBe(false);
    expect(can(subject('EDITOR'), 'posts', 'create')).toBe(true);
    expect(can(subject('EDITOR'), 'posts', 'publish')).toBe(false);
    expect(can(subject('MANAGER'), 'posts', 'approve')).toBe(true);
    expect(can(subject('MANAGER'), 'users', 'update')).toBe(false);
    expect(can(subject('ADMIN'), 'users', 'delete')).toBe(true);
    expect(can(subject('ADMIN'), 'workspace', 'transfer')).toBe(false);
    expect(can(subject('OWNER'), 'workspace', 'transfer')).toBe(true);
  });

  it('refuses unknown resources and actions to everyone, the owner included', () => {
    expect(minimumRole('nukes', 'launch')).toBeNull();
    expect(evaluate(subject('OWNER'), 'nukes', 'launch')).toEqual({ allowed: false, source: 'role' });
    expect(evaluate(subject('OWNER'), 'posts', 'launch').allowed).toBe(false);
    expect(evaluate(subject('ADMIN'), 'toString', 'call').allowed).toBe(false);
  });
});

describe('user_permissions overrides', () => {
  it('widens: a row grants an action the role lacks', () => {
    const s = subject('VIEWER', [{ resource: 'posts', action: 'create', conditions: null }]);
    expect(evaluate(s, 'posts', 'create')).toEqual({ allowed: true, source: 'override', conditions: null });
    expect(evaluate(s, 'posts', 'delete').allowed).toBe(false);
  });

  it('removes: a {deny: true} row takes away an action the role has', () => {
    const s = subject('ADMIN', [{ resource: 'users', action: 'delete', conditions: { deny: true } }]);
    expect(evaluate(s, 'users', 'delete')).toEqual({ allowed: false, source: 'override' });
    expect(evaluate(s, 'users', 'update').allowed).toBe(true);
  });

  it('narrows: conditions attach to the grant, even for an action the role already has', () => {
    const s = subject('EDITOR', [{ resource: 'posts', action: 'update', conditions: { platforms: ['INSTAGRAM'], ownOnly: true } }]);
    expect(evaluate(s, 'posts', 'update')).toEqual({ allowed: true, source: 'override', conditions: { platforms: ['INSTAGRAM'], ownOnly: true } });
    expect(can(s, 'posts', 'update', { platforms: ['INSTAGRAM'], ownerId: 'u1' })).toBe(true);
    expect(can(s, 'posts', 'update', { platforms: ['INSTAGRAM', 'TIKTOK'], ownerId: 'u1' })).toBe(false);
    expect(can(s, 'posts', 'update', { platforms: ['INSTAGRAM'], ownerId: 'someone-else' })).toBe(false);
  });

  it('an exact row wins over a resource-wide `*` row', () => {
    const s = subject('MANAGER', [
      { resource: 'posts', action: '*', conditions: { deny: true } },
      { resource: 'posts', action: 'read', conditions: null },
    ]);
    expect(evaluate(s, 'posts', 'read').allowed).toBe(true);
    expect(evaluate(s, 'posts', 'update').allowed).toBe(false);
    expect(evaluate(s, 'campaigns', 'update').allowed).toBe(true);
  });

  it('never locks the owner out', () => {
    const s = subject('OWNER', [{ resource: 'users', action: '*', conditions: { deny: true } }]);
    expect(evaluate(s, 'users', 'delete')).toEqual({ allowed: true, source: 'owner', conditions: null });
  });
});

describe('conditionsHold', () => {
  it('treats missing facts as unsatisfied and no conditions as satisfied', () => {
    expect(conditionsHold(null, 'u1', {})).toBe(true);
    expect(conditionsHold({ platforms: ['INSTAGRAM'] }, 'u1', {})).toBe(false);
    expect(conditionsHold({ platforms: ['INSTAGRAM'] }, 'u1', { platforms: [] })).toBe(false);
    expect(conditionsHold({ ownOnly: true }, 'u1', { ownerId: null })).toBe(false);
    expect(conditionsHold({ ownOnly: true }, 'u1', { ownerId: 'u1' })).toBe(true);
  });
});

describe('compact permissions (the token claim)', () => {
  it('round-trips grants, conditional grants and denials', () => {
    const rows: PermissionOverride[] = [
      { resource: 'posts', action: 'update', conditions: { platforms: ['INSTAGRAM'] } },
      { resource: 'users', action: 'delete', conditions: { deny: true } },
      { resource: 'ai', action: 'create', conditions: null },
      { resource: 'media', action: 'delete', conditions: { ownOnly: true } },
    ];
    const compact = encodePermissions(rows);
    expect(compact).toEqual({ 'posts:update': { platforms: ['INSTAGRAM'] }, 'users:delete': 0, 'ai:create': 1, 'media:delete': { ownOnly: true } });
    const decoded = decodePermissions(JSON.parse(JSON.stringify(compact)));
    const s = subject('VIEWER', decoded);
    for (const r of rows) expect(evaluate(s, r.resource, r.action)).toEqual(evaluate(subject('VIEWER', rows), r.resource, r.action));
    expect(encodePermissions([])).toBeUndefined();
  });

  it('ignores malformed entries instead of granting', () => {
    expect(decodePermissions({ 'posts:update': { platforms: 'INSTAGRAM' }, nocolon: 1, 'x:': 1, 'a:b': 2 })).toEqual([]);
    expect(decodePermissions(['posts:update'])).toEqual([]);
    expect(decodePermissions(null)).toEqual([]);
  });
});
