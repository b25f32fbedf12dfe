import { Module } from '@nestjs/common';
import { ManageUserService } from './manage-user.service';
import { MeHttpController } from './me.http-controller';
import { MeService } from './me.service';
import { UsersHttpController } from './users.http-controller';
import { UserPermissionsService } from './user-permissions.service';
import { UsersQueryService } from './users-query.service';

@Module({
  controllers: [UsersHttpController, MeHttpController],
  providers: [UsersQueryService, ManageUserService, MeService, UserPermissionsService],
})
export class UsersModule {}
