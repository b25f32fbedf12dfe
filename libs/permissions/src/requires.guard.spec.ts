import 'reflect-metadata';
import { Controller, Get, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Public, type JwtVerifier } from '@lib/auth-verify';
import { DomainError } from '@lib/contracts';
import { strictMock } from '@lib/testing';
import { PermissionsGuard, Requires, type PermissionClaims, type PermissionRequest, type SubjectResolver } from './requires.guard';

@Controller()
class Routes {
  @Public() @Get() open() {}
  @Requires('users', 'update') @Get() updateUsers() {}
  @Get() anyone() {}
}

function contextFor(handler: keyof Routes, request: Partial<PermissionRequest>): ExecutionContext {
  return strictMock<ExecutionContext>({
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  }, 'context');
}

const claims = (role: string, perms?: unknown): PermissionClaims => ({ sub: 'u1', workspaceId: 'w1', role: role as PermissionClaims['role'], sid: 's1', perms });

describe('PermissionsGuard', () => {
  const reflector = new Reflector();

  it('lets @Public() routes through without touching the token', async () => {
    const guard = new PermissionsGuard(reflector, strictMock<JwtVerifier>({}, 'verifier'));
    await expect(guard.canActivate(contextFor('open', { headers: {} }))).resolves.toBe(true);
  });

  it('verifies the bearer token itself when no earlier guard did, and evaluates @Requires', async () => {
    const verify = jest.fn().mockReturnValue(claims('ADMIN'));
    const guard = new PermissionsGuard(reflector, strictMock<JwtVerifier>({ verify }, 'verifier'));
    const request: Partial<PermissionRequest> = { headers: { authorization: 'Bearer a.b.c' } };
    await expect(guard.canActivate(contextFor('updateUsers', request))).resolves.toBe(true);
    expect(verify).toHaveBeenCalledWith('a.b.c');
    expect(request.permission).toEqual({ allowed: true, source: 'role', conditions: null });
  });

  it('answers AUTH.UNAUTHORIZED without a bearer token and AUTH.FORBIDDEN below the required role', async () => {
    const guard = new PermissionsGuard(reflector, strictMock<JwtVerifier>({}, 'verifier'));
    await expect(guard.canActivate(contextFor('anyone', { headers: {} }))).rejects.toMatchObject({ code: 'AUTH.UNAUTHORIZED' });
    await expect(guard.canActivate(contextFor('updateUsers', { headers: {}, user: claims('MANAGER') }))).rejects.toBeInstanceOf(DomainError);
    await expect(guard.canActivate(contextFor('updateUsers', { headers: {}, user: claims('MANAGER') }))).rejects.toMatchObject({ code: 'AUTH.FORBIDDEN' });
  });

  it('applies the compact overrides carried in the token', async () => {
    const guard = new PermissionsGuard(reflector, strictMock<JwtVerifier>({}, 'verifier'));
    await expect(guard.canActivate(contextFor('updateUsers', { headers: {}, user: claims('VIEWER', { 'users:update': 1 }) }))).resolves.toBe(true);
    await expect(guard.canActivate(contextFor('updateUsers', { headers: {}, user: claims('ADMIN', { 'users:update': 0 }) }))).rejects.toMatchObject({ code: 'AUTH.FORBIDDEN' });
  });

  it('asks the service’s resolver for the subject when one is provided (auth checks the session there)', async () => {
    const resolve = jest.fn().mockResolvedValue({ userId: 'u1', role: 'VIEWER', overrides: [] });
    const guard = new PermissionsGuard(reflector, strictMock<JwtVerifier>({}, 'verifier'), strictMock<SubjectResolver>({ resolve }, 'resolver'));
    await expect(guard.canActivate(contextFor('updateUsers', { headers: {}, user: claims('ADMIN') }))).rejects.toMatchObject({ code: 'AUTH.FORBIDDEN' });
    expect(resolve).toHaveBeenCalledTimes(1);
  });
});
