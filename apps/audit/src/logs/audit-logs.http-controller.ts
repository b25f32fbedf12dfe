import { Controller, Get, Header, Query, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { CurrentUser, type AccessClaims } from '@lib/auth-verify';
import { AuditLogsQuery } from './audit-logs.query';
import { CSV_HEADER, toAuditLogResponse, toCsvRow } from './audit-logs.mapper';
import { Requires } from '@lib/permissions';
import { AuditLogFilterRequest, ListAuditLogsRequest } from './dto/list-audit-logs.request';

/** The audit log of the caller's workspace; OWNER and ADMIN only. */
// The role matrix gives audit:read to OWNER and ADMIN; user overrides apply as everywhere else.
@Controller('api/v1/audit-logs')
@Requires('audit', 'read')
export class AuditLogsHttpController {
  constructor(private readonly query: AuditLogsQuery) {}

  @Get()
  async list(@CurrentUser() user: AccessClaims, @Query() q: ListAuditLogsRequest) {
    const { limit, cursor, ...filter } = q;
    const page = await this.query.page(user.workspaceId, filter, limit ?? 50, cursor);
    return { items: page.items.map(toAuditLogResponse), nextCursor: page.nextCursor };
  }

  @Get('verify')
  verify(@CurrentUser() user: AccessClaims) {
    return this.query.verify(user.workspaceId);
  }

  /** The filtered range as CSV, streamed from the database as it is read. */
  @Get('export.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="audit-log.csv"')
  export(@CurrentUser() user: AccessClaims, @Query() q: AuditLogFilterRequest): StreamableFile {
    const cursor = this.query.stream(user.workspaceId, q);
    async function* rows(): AsyncGenerator<string> {
      yield CSV_HEADER;
      for await (const e of cursor) yield toCsvRow(e);
    }
    return new StreamableFile(Readable.from(rows()));
  }
}
