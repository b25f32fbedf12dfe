// Three tiers: unit (*.spec.ts beside the code, strict mocks), integration and e2e (test/**, against
// the embedded stack). The stack is started once in globalSetup and shared through process.env.
const { compilerOptions } = require('./tsconfig.json');

// swc rewrites the @lib/* aliases itself, so code that Jest loads outside its module registry
// (globalSetup) resolves them too.
const swc = ['@swc/jest', {
  jsc: {
    baseUrl: __dirname,
    paths: compilerOptions.paths,
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
}];
const moduleNameMapper = { '^@lib/([a-z-]+)$': '<rootDir>/libs/$1/src' };
const common = { transform: { '^.+\\.ts$': swc }, moduleNameMapper, testEnvironment: 'node', testTimeout: 120000 };

module.exports = {
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    // The embedded MongoDB-compatible server starts its own instances; it needs no shared stack.
    { ...common, displayName: 'mongo-embedded', testMatch: ['<rootDir>/tools/mongo-embedded/test/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
      // test/deploy holds static deployment checks (own project below): they need no stack.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/deploy/'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
    },
    // Static validation of docker-compose.yml, deploy/Dockerfile and k8s/ (no Docker, no cluster).
    { ...common, displayName: 'deploy', testMatch: ['<rootDir>/test/deploy/**/*.test.ts'] },
  ],
};
