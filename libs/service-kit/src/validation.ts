import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ErrorCodes } from '@lib/contracts';

function flatten(errors: ValidationError[], prefix = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** class-validator on every body, query and param: unknown fields are rejected, and named. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const list = flatten(errors);
      return new BadRequestException({
        code: ErrorCodes.validation,
        title: 'Invalid request',
        detail: list.map((e) => `${e.field}: ${e.messages.join(', ')}`).join('; '),
        errors: list,
      });
    },
  });
}
