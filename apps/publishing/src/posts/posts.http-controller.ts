import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CurrentPermission, CurrentSubject, Requires, type Decision, type PermissionSubject } from '@lib/permissions';
import { CurrentUser, type AccessClaims } from '@lib/auth-verify';
import { CreatePostRequest, ListPostsRequest, PostIdParam, TransitionRequest, UpdatePostRequest } from './dto/post.requests';
import { PostsService, type Actor } from './posts.service';

/** The caller as the use cases see it, with any narrowing from their permission overrides. */
export function actorOf(user: AccessClaims, subject: PermissionSubject, permission: Decision | null): Actor {
  return { userId: subject.userId, workspaceId: user.workspaceId, conditions: permission && permission.allowed ? permission.conditions : null, role: subject.role };
}

@Controller('api/v1/posts')
export class PostsHttpController {
  constructor(private readonly posts: PostsService) {}

  @Post()
  @Requires('posts', 'create')
  create(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Body() body: CreatePostRequest) {
    return this.posts.create(actorOf(u, s, p), body);
  }

  @Get()
  @Requires('posts', 'read')
  list(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Query() q: ListPostsRequest) {
    return this.posts.list(actorOf(u, s, p), q);
  }

  @Get(':id')
  @Requires('posts', 'read')
  get(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: PostIdParam) {
    return this.posts.get(actorOf(u, s, p), param.id);
  }

  @Patch(':id')
  @Requires('posts', 'update')
  update(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: PostIdParam, @Body() body: UpdatePostRequest) {
    return this.posts.update(actorOf(u, s, p), param.id, body);
  }

  @Post(':id/transitions')
  @HttpCode(200)
  @Requires('posts', 'update')
  transition(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: PostIdParam, @Body() body: TransitionRequest) {
    return this.posts.transition(actorOf(u, s, p), param.id, body.to);
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('posts', 'delete')
  remove(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: PostIdParam) {
    return this.posts.remove(actorOf(u, s, p), param.id);
  }
}
