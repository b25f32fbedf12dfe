import type { MediaAsset } from './media-asset.entity';

/** What clients see of an asset: an allow-list (storage keys and internals never included). */
export function toMediaResponse(asset: MediaAsset) {
  return {
    id: asset.id,
    workspaceId: asset.workspaceId,
    type: asset.type,
    url: asset.url,
    thumbnailUrl: asset.thumbnailUrl,
    filename: asset.filename,
    size: asset.size,
    dimensions: asset.dimensions,
    duration: asset.duration,
    metadata: asset.metadata,
    tags: asset.tags,
    folder: asset.folder,
    createdAt: asset.createdAt.toISOString(),
    updatedAt: asset.updatedAt.toISOString(),
  };
}

export type MediaResponse = ReturnType<typeof toMediaResponse>;
