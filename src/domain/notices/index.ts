export * from './chinese-date';
export * from './notice-builder';
export * from './remedies';
export { withholdingOf } from './reply-wording';
