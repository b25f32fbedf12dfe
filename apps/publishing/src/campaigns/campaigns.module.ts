import { Module } from '@nestjs/common';
import { CampaignsHttpController } from './campaigns.http-controller';
import { CampaignsService } from './campaigns.service';

@Module({ controllers: [CampaignsHttpController], providers: [CampaignsService] })
export class CampaignsModule {}
