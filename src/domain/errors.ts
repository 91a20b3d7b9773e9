/** Error codes the domain speaks; one exception filter maps them to HTTP and to pages. */
export type DomainErrorCode = 'VALIDATION_FAILED' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID_TRANSITION' | 'UNPROCESSABLE' | 'RATE_LIMITED' | 'PAYLOAD_TOO_LARGE';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class ValidationFailedError extends DomainError {
  constructor(fields: Record<string, string>, message = '提交的内容有误，请检查标出的字段。') {
    super('VALIDATION_FAILED', message, fields);
  }
}

export class NotFoundError extends DomainError {
  constructor(message = '未找到该记录。') {
    super('NOT_FOUND', message);
  }
}

/** A lifecycle step that is not allowed in the current state (HTTP 409). */
export class InvalidTransitionError extends DomainError {
  constructor(message: string, fields: Record<string, string> = {}) {
    super('INVALID_TRANSITION', message, fields);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, fields: Record<string, string> = {}) {
    super('CONFLICT', message, fields);
  }
}

/** Well-formed but impossible, e.g. a date before receipt or in the future (HTTP 422). */
export class UnprocessableError extends DomainError {
  constructor(message: string, fields: Record<string, string> = {}) {
    super('UNPROCESSABLE', message, fields);
  }
}

/** An upload over a size limit (HTTP 413). */
export class TooLargeError extends DomainError {
  constructor(message: string) {
    super('PAYLOAD_TOO_LARGE', message);
  }
}
