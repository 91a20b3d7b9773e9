export * from './file-checks';
