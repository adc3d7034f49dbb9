export * from './lib/mqtt-topics';
export * from './lib/reading-payload.dto';
export * from './lib/validate';
export * from './lib/hub-devices.dto';
export * from './lib/alert-actions.dto';
export * from './lib/trend-query.dto';
export * from './lib/registry.dto';
