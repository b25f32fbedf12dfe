import { runMigrationCommand } from '@lib/persistence';
import { publishingOrmOptions } from './orm.config';

// Applies publishing's migrations: run by `npm start` and by the Kubernetes migration Job, never at app boot.
void runMigrationCommand('publishing', (url) => publishingOrmOptions(url));
