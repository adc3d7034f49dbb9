export * from './date-search';
export * from './token-search';
export * from './search-parameters';
export * from './search-cursor';
export * from './observation-search';
export * from './registry-search';
