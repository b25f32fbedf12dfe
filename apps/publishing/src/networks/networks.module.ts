import { Global, Module } from '@nestjs/common';
import { ConfiguredConnectorRegistry } from './configured-connector-registry';
import { ConnectorRegistry } from './connector-registry';

/** The social network connectors, one per configured network, for every feature module. */
@Global()
@Module({
  providers: [{ provide: ConnectorRegistry, useClass: ConfiguredConnectorRegistry }],
  exports: [ConnectorRegistry],
})
export class NetworksModule {}
