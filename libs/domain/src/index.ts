export * from './lib/coded-error';
export * from './lib/nhs-number';
export * from './lib/reading';
export * from './lib/registry';
export * from './lib/units';
export * from './lib/vital-signs';
export * from './lib/device-clock';
export * from './lib/alert';
