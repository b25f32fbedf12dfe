import { Module } from '@nestjs/common';
import { ApprovalPolicyModule } from '../approvals/approval-policy.module';
import { PostsHttpController } from './posts.http-controller';
import { PostsService } from './posts.service';

@Module({ imports: [ApprovalPolicyModule], controllers: [PostsHttpController], providers: [PostsService] })
export class PostsModule {}
