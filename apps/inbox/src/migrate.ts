import { runMigrationCommand } from '@lib/persistence';
import { inboxOrmOptions } from './orm.config';

// Applies inbox's migrations: run by `npm start` and by the Kubernetes migration Job, never at app boot.
void runMigrationCommand('inbox', (url) => inboxOrmOptions(url));
