import { Module } from '@nestjs/common';
import { WorkspaceHttpController } from './workspace.http-controller';
import { WorkspaceService } from './workspace.service';

@Module({ controllers: [WorkspaceHttpController], providers: [WorkspaceService] })
export class WorkspacesModule {}
