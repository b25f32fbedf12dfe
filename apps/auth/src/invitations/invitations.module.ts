import { Module } from '@nestjs/common';
import { InvitationsHttpController } from './invitations.http-controller';
import { InvitationsService } from './invitations.service';

@Module({ controllers: [InvitationsHttpController], providers: [InvitationsService] })
export class InvitationsModule {}
