import { ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ValidationFailedError } from '../domain/errors';

/** Flattens class-validator's tree into `{"applicant.type": "…"}`, first message per field. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) {
      const [key, message] = Object.entries(error.constraints)[0];
      fields[path] = key === 'whitelistValidation' ? '不允许的字段。' : message;
    }
    if (error.children?.length) Object.assign(fields, flattenValidationErrors(error.children, path));
  }
  return fields;
}

export const VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: true,
} as const;

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATOR_OPTIONS,
    transform: true,
    exceptionFactory: (errors) => new ValidationFailedError(flattenValidationErrors(errors)),
  });
}

/** Same rules for HTML forms: returns the instance or the field messages to re-render. */
export function validateInput<T extends object>(cls: new () => T, plain: unknown): { value: T; fields: null } | { value: null; fields: Record<string, string> } {
  const value = plainToInstance(cls, plain ?? {});
  const errors = validateSync(value as object, VALIDATOR_OPTIONS);
  if (errors.length) return { value: null, fields: flattenValidationErrors(errors) };
  return { value, fields: null };
}
