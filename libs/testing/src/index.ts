export * from './lib/builders';
export * from './lib/storage-contract';
