export * from './lib/secret-hash';
export * from './lib/concurrency-limit';
export * from './lib/password-policy';
export * from './lib/sign-in-throttle';
