export * from './section3-layout';
export * from './section3';
export * from './section4';
export * from './publication-diff';
export * from './basis';
