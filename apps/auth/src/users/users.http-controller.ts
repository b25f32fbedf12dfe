import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Put, Query } from '@nestjs/common';
import { CurrentPermission, Requires } from '@lib/permissions';
import type { Grant } from './row-conditions';
import { CurrentCaller, type Caller } from '../common/caller';
import { Client, type ClientInfo } from '../common/client-info';
import { ReplacePermissionsRequest } from './dto/permissions.requests';
import { ListUsersQuery, UpdateUserRequest, UserIdParam } from './dto/users.requests';
import { ManageUserService } from './manage-user.service';
import { UserPermissionsService } from './user-permissions.service';
import { UsersQueryService } from './users-query.service';

@Controller('api/v1/users')
export class UsersHttpController {
  constructor(
    private readonly query: UsersQueryService,
    private readonly manage: ManageUserService,
    private readonly permissions: UserPermissionsService,
  ) {}

  @Get()
  @Requires('users', 'read')
  list(@CurrentCaller() caller: Caller, @CurrentPermission() grant: Grant, @Query() q: ListUsersQuery) {
    return this.query.list(caller, grant, q.limit ?? 50, q.cursor);
  }

  @Get(':id')
  @Requires('users', 'read')
  get(@CurrentCaller() caller: Caller, @CurrentPermission() grant: Grant, @Param() p: UserIdParam) {
    return this.query.get(caller, grant, p.id);
  }

  @Patch(':id')
  @Requires('users', 'update')
  update(@CurrentCaller() caller: Caller, @CurrentPermission() grant: Grant, @Param() p: UserIdParam, @Body() body: UpdateUserRequest, @Client() client: ClientInfo) {
    return this.manage.update(caller, grant, p.id, body, client);
  }

  @Delete(':id')
  @Requires('users', 'delete')
  @HttpCode(204)
  remove(@CurrentCaller() caller: Caller, @CurrentPermission() grant: Grant, @Param() p: UserIdParam, @Client() client: ClientInfo) {
    return this.manage.remove(caller, grant, p.id, client);
  }

  @Get(':id/permissions')
  @Requires('permissions', 'read')
  listPermissions(@CurrentCaller() caller: Caller, @Param() p: UserIdParam) {
    return this.permissions.list(caller, p.id);
  }

  /** Replaces the member's overrides of the role matrix with this list. */
  @Put(':id/permissions')
  @Requires('permissions', 'update')
  replacePermissions(@CurrentCaller() caller: Caller, @Param() p: UserIdParam, @Body() body: ReplacePermissionsRequest, @Client() client: ClientInfo) {
    return this.permissions.replace(caller, p.id, body.permissions, client);
  }
}
