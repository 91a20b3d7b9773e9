export * from './dates';
export * from './working-calendar';
export * from './calendar-diff';
