export * from './codes';
export * from './request-lifecycle';
export * from './reply-clock';
export * from './event-info';
export * from './confirmation';
