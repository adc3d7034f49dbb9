export * from './clock';
export * from './rules-engine.module';
export * from './rules-engine.options';
export * from './rules-engine.events';
export * from './rules-engine.service';
export * from './start-rules-engine';
export * from './pipeline-stall.monitor';
