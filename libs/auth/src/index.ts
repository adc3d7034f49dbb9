export * from './lib/secret-hash';
export * from './lib/login-rate-limiter';
