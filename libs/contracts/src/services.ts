/** The platform's services, their default ports and the store each owns. */
export const SERVICES = {
  edge: { port: 3000, store: 'none' },
  auth: { port: 3001, store: 'postgres' },
  publishing: { port: 3002, store: 'postgres' },
  inbox: { port: 3003, store: 'postgres' },
  listening: { port: 3004, store: 'mongodb' },
  analytics: { port: 3005, store: 'mongodb' },
  audit: { port: 3006, store: 'mongodb' },
  ai: { port: 3007, store: 'mongodb' },
} as const;

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];
export const POSTGRES_SERVICES = SERVICE_NAMES.filter((s) => SERVICES[s].store === 'postgres');
export const MONGO_SERVICES = SERVICE_NAMES.filter((s) => SERVICES[s].store === 'mongodb');
