export * from './lib/builders';
export * from './lib/databases';
export * from './lib/storage-contract';
