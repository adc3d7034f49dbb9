// Unit tests of the dashboard's pure logic (formatting, worklist merging, colours, the SSE
// parser). The pages themselves are tested in a real browser: test/browser.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'dashboard',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
