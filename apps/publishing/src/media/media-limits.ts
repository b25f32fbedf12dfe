import { Inject, Injectable } from '@nestjs/common';
import type { Plan } from '@lib/contracts';
import { WorkspaceDirectory } from '../workspaces/workspace-directory';
import { MEDIA_CONFIG, type MediaConfig } from './media.config';

export interface UploadLimit {
  bytes: number;
  /** The plan the limit comes from; null when the workspace is not known yet (absolute cap). */
  plan: Plan | null;
}

/** How large a file this workspace may upload now. */
@Injectable()
export class MediaLimits {
  constructor(
    private readonly workspaces: WorkspaceDirectory,
    @Inject(MEDIA_CONFIG) private readonly config: MediaConfig,
  ) {}

  async forWorkspace(workspaceId: string): Promise<UploadLimit> {
    const profile = await this.workspaces.profile(workspaceId);
    if (!profile) return { bytes: this.config.maxUploadBytes, plan: null };
    return { bytes: Math.min(this.config.planLimits[profile.plan], this.config.maxUploadBytes), plan: profile.plan };
  }
}

/** `26214400` → `25 MiB`, for messages people read. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1 && v % 1024 === 0) {
    v /= 1024;
    i++;
  }
  if (i === 0 && bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${v} ${units[i]}`;
}
