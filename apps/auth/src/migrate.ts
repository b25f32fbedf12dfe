import { runMigrationCommand } from '@lib/persistence';
import { authOrmOptions } from './orm.config';

// Applies auth's migrations: run by `npm start` and by the Kubernetes migration Job, never at app boot.
void runMigrationCommand('auth', (url) => authOrmOptions(url));
