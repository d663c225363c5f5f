// `npm run test:unit`: the unit tests under src/, without a build or a PostgreSQL (no global setup).
const base = require('./jest.config.cjs');
const { globalSetup, globalTeardown, ...rest } = base;
module.exports = { ...rest, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
