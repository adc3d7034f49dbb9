/** @type {import('jest').Config} */
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.cjs', '<rootDir>/apps/*/jest.config.cjs', '<rootDir>/device-simulators/jest.config.cjs', '<rootDir>/test/jest.config.cjs', '<rootDir>/infra/jest.config.cjs'],
};
