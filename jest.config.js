/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // The PostgreSQL pass (npm run test:pg) runs the e2e specs of test/ only: the unit specs in src/ touch no database.
  roots: process.env.TEST_DATABASE_URL ? ['<rootDir>/test'] : ['<rootDir>/src', '<rootDir>/test'],
  // Specs that need PostgreSQL (*.pg-spec.ts) run only in the PostgreSQL pass (npm run test:pg).
  testRegex: process.env.TEST_DATABASE_URL ? '.*\\.(spec|e2e-spec|pg-spec)\\.ts$' : '.*\\.(spec|e2e-spec)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs)/)'],
  testTimeout: 30000,
  // The SQLite e2e apps start from a copy of one migrated database per run (test/support/sqlite-template.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
