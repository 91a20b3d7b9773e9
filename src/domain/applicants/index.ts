export * from './article29';
export * from './identity';
export * from './repeat-request';
export * from './normalise';
