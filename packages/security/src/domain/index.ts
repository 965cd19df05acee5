export * from './scopes';
export * from './access-token';
